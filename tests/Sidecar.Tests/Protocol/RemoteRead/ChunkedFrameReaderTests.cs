using System.Buffers.Binary;
using Sidecar.Protocol;
using Sidecar.Protocol.RemoteRead;

namespace Sidecar.Tests.Protocol.RemoteRead;

public sealed class ChunkedFrameReaderTests
{
    private static byte[] Frame(byte[] message, uint? crc = null)
    {
        var frame = new List<byte>();
        ulong length = (ulong)message.Length;
        while (length >= 0x80)
        {
            frame.Add((byte)(length | 0x80));
            length >>= 7;
        }
        frame.Add((byte)length);
        var crcBytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc ?? Crc32C.Compute(message));
        frame.AddRange(crcBytes);
        frame.AddRange(message);
        return [.. frame];
    }

    private static async Task<List<byte[]>> ReadAll(byte[] stream, int limit = 1 << 20)
    {
        using var reader = new ChunkedFrameReader(new MemoryStream(stream), limit);
        var frames = new List<byte[]>();
        while (await reader.ReadFrameAsync(CancellationToken.None) is { } frame)
            frames.Add(frame.ToArray());
        return frames;
    }

    [Fact]
    public void Crc32CMatchesTheStandardCheckValueOnBothPaths()
    {
        // The CRC-32C check value: the CRC of the ASCII digits 1 to 9.
        byte[] digits = "123456789"u8.ToArray();
        Assert.Equal(0xE3069283u, Crc32C.Compute(digits));
        Assert.Equal(0xE3069283u, Crc32C.ComputeWithTable(digits));
        var random = new Random(1);
        var data = new byte[1000];
        random.NextBytes(data);
        for (int length = 0; length < data.Length; length += 37)
            Assert.Equal(Crc32C.ComputeWithTable(data.AsSpan(0, length)), Crc32C.Compute(data.AsSpan(0, length)));
    }

    [Fact]
    public async Task ReadsConsecutiveFramesIncludingEmptyAndLargeOnes()
    {
        byte[] large = new byte[200_000];
        new Random(2).NextBytes(large);
        var frames = await ReadAll([.. Frame([1, 2, 3]), .. Frame([]), .. Frame(large)]);
        Assert.Equal(3, frames.Count);
        Assert.Equal([1, 2, 3], frames[0]);
        Assert.Empty(frames[1]);
        Assert.Equal(large, frames[2]);
    }

    [Fact]
    public async Task RejectsACrcMismatch()
    {
        var e = await Assert.ThrowsAsync<MalformedInputException>(() => ReadAll(Frame([1, 2, 3], crc: 0xdeadbeef)));
        Assert.Contains("CRC32C mismatch", e.Message);
    }

    [Fact]
    public async Task RejectsAHugeDeclaredLengthBeforeAllocating()
    {
        // 2^62 as a uvarint, then nothing: the limit check must come before any read or allocation.
        byte[] hostile = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
        await Assert.ThrowsAsync<PayloadTooLargeException>(() => ReadAll(hostile));
        await Assert.ThrowsAsync<PayloadTooLargeException>(() => ReadAll(Frame(new byte[2000]), limit: 1000));
    }

    [Fact]
    public async Task RejectsTruncatedFramesAndOverlongVarints()
    {
        byte[] frame = Frame([1, 2, 3, 4, 5]);
        for (int cut = 1; cut < frame.Length; cut++)
            await Assert.ThrowsAsync<MalformedInputException>(() => ReadAll(frame[..cut]));
        await Assert.ThrowsAsync<MalformedInputException>(() => ReadAll(Enumerable.Repeat((byte)0x80, 11).ToArray()));
    }

    [Fact]
    public async Task RandomBytesNeverCrashOrHang()
    {
        var random = new Random(3);
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 100)];
            random.NextBytes(bytes);
            try
            {
                await ReadAll(bytes, limit: 1 << 16);
            }
            catch (Exception e) when (e is MalformedInputException or PayloadTooLargeException)
            {
            }
        }
    }
}
