using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Protocol;
using Sidecar.Protocol.Chunks;
using Sidecar.Protocol.RemoteRead;
using Sidecar.Store;
using SharpFuzz;

namespace Sidecar.Fuzz;

/// <summary>
/// AFL harness (SharpFuzz) for every decoder that reads bytes from the network. A target may reject
/// input only with <see cref="MalformedInputException"/> or <see cref="PayloadTooLargeException"/>; any
/// other exception, a hang or a crash is a finding. Run through fuzz/run.sh.
/// </summary>
public static class FuzzProgram
{
    private static readonly SeriesStore Store = new(ConfigLoader.Load("""
        demo:
          mode: off
        targets:
          - name: t
            selector: '{__name__=~"node_.*"}'
            step: 15s
            horizons: [1m]
            history: 1h
        """), TimeProvider.System);

    public static int Main(string[] args)
    {
        if (args is ["seed", var directory])
            return Seed(directory);
        Action<byte[]>? target = args.FirstOrDefault() switch
        {
            "remote-write-v1" => body => RemoteWriteV1Decoder.Ingest(Store, Decompress(body)),
            "remote-write-v2" => body => RemoteWriteV2Decoder.Ingest(Store, Decompress(body)),
            "xor-chunk" => XorChunk,
            "remote-read-frames" => Frames,
            _ => null,
        };
        if (target is null)
        {
            Console.Error.WriteLine("usage: Sidecar.Fuzz remote-write-v1|remote-write-v2|xor-chunk|remote-read-frames");
            return 2;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            try
            {
                target(buffer.ToArray());
            }
            catch (Exception e) when (e is MalformedInputException or PayloadTooLargeException)
            {
            }
        });
        return 0;
    }

    /// <summary>Writes one small valid input per target, the corpus AFL starts from.</summary>
    private static int Seed(string directory)
    {
        void Write(string target, byte[] bytes)
        {
            Directory.CreateDirectory(Path.Combine(directory, target));
            File.WriteAllBytes(Path.Combine(directory, target, "seed"), bytes);
        }
        Write("remote-write-v1", Snappier.Snappy.CompressToArray(Sidecar.Bench.NodeExporterPayload.V1(12, 2)));
        Write("remote-write-v2", Snappier.Snappy.CompressToArray(Sidecar.Bench.NodeExporterPayload.V2(12, 2)));
        var encoder = new Sidecar.Tests.Support.XorChunkEncoder();
        for (int i = 0; i < 20; i++)
            encoder.Append(1_700_000_000_000 + i * 15_000L + (i % 3), 100 + i % 7 * 0.5);
        byte[] chunk = encoder.ToArray();
        Write("xor-chunk", chunk);
        var frame = new List<byte> { (byte)chunk.Length };
        var crc = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32C.Compute(chunk));
        Write("remote-read-frames", [.. frame, .. crc, .. chunk, .. frame, .. crc, .. chunk]);
        return 0;
    }

    // Bodies arrive snappy-compressed, as on the wire; the corpus holds compressed requests.
    private static byte[] Decompress(byte[] body)
    {
        byte[] decoded = SnappyBlock.DecompressRented(body, 1 << 20, out int length);
        byte[] copy = decoded[..length];
        System.Buffers.ArrayPool<byte>.Shared.Return(decoded);
        return copy;
    }

    private static void XorChunk(byte[] chunk)
    {
        var iterator = new XorChunkIterator(chunk);
        while (iterator.MoveNext())
        {
        }
    }

    private static void Frames(byte[] stream)
    {
        using var reader = new ChunkedFrameReader(new MemoryStream(stream), 1 << 20);
        while (reader.ReadFrameAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is not null)
        {
        }
    }
}
