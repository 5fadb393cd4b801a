using System.Text;
using Sidecar.Protocol.RemoteRead;

namespace Sidecar.Store.Snapshots;

/// <summary>
/// The store's crash-safe snapshot. A snapshot is written to a temporary file, with a CRC-32C and the
/// payload length in a trailer, flushed to disk, then renamed over the previous one: a crash leaves
/// either the old snapshot or the new one, never half of one. Reading checks the CRC of the whole
/// payload before trusting any of it.
/// </summary>
/// <remarks>
/// Layout, little-endian: the 8-byte magic <c>FSSNAP01</c>; the payload (target count, then per target
/// its name, step in ms, history steps and series, each with its labels, first and newest step, the
/// newest sample's time, when it was last received, whether it ended, and its values as float32); then
/// the trailer: CRC-32C of the payload (uint32) and its length (int64).
/// </remarks>
internal static class SnapshotFile
{
    public const string FileName = "snapshot.bin";
    private static readonly byte[] Magic = "FSSNAP01"u8.ToArray();
    private const int TrailerBytes = 12;
    private const int MaxLabels = 1_000;
    private const int MaxValues = 100_000_000;

    /// <summary>One restored series with the target settings it was stored under.</summary>
    public sealed record Entry(string Target, long StepMs, int HistorySteps, SeriesSnapshot Series);

    /// <returns>Series written.</returns>
    /// <param name="cancellation">Cut short (at the shutdown deadline): the partial file is deleted and the previous snapshot stays.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> fired before the snapshot was complete.</exception>
    public static int Write(string directory, SeriesStore store, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temporary = path + ".tmp";
        int written = 0;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                file.Write(Magic);
                var payload = new Crc32CStream(file);
                using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
                {
                    // Taken once: a reload may swap the list meanwhile, and the count must match what follows.
                    IReadOnlyList<TargetStore> targets = store.Targets;
                    writer.Write(targets.Count);
                    foreach (var target in targets)
                    {
                        Series[] series = target.Snapshot();
                        writer.Write(target.Settings.Name);
                        writer.Write(target.Settings.StepMs);
                        writer.Write(target.Settings.HistorySteps);
                        writer.Write(series.Length);
                        foreach (var s in series)
                        {
                            cancellation.ThrowIfCancellationRequested();
                            WriteSeries(writer, s.Capture());
                            written++;
                        }
                    }
                }
                var trailer = new BinaryWriter(file, Encoding.UTF8, leaveOpen: true);
                trailer.Write(payload.Crc);
                trailer.Write(payload.Written);
                trailer.Flush();
                // On disk before the rename makes it the snapshot.
                file.Flush(flushToDisk: true);
            }
        }
        catch (OperationCanceledException)
        {
            File.Delete(temporary);
            throw;
        }
        File.Move(temporary, path, overwrite: true);
        return written;
    }

    private static void WriteSeries(BinaryWriter writer, SeriesSnapshot snapshot)
    {
        writer.Write(snapshot.Labels.Labels.Count);
        foreach (var (name, value) in snapshot.Labels.Labels)
        {
            writer.Write(name);
            writer.Write(value);
        }
        writer.Write(snapshot.FirstStep);
        writer.Write(snapshot.NewestStep);
        writer.Write(snapshot.NewestTimestampMs);
        writer.Write(snapshot.LastReceivedAtMs);
        writer.Write(snapshot.Ended);
        writer.Write(snapshot.Values.Length);
        // The file is little-endian, like every machine .NET runs this on: the values go out as one block.
        writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(snapshot.Values.AsSpan()));
    }

    /// <summary>
    /// Checks a snapshot's checksum over the whole file, then returns its series one at a time, so a
    /// restore holds one series' values at once, not the whole file. Null when there is no snapshot.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is corrupt or truncated (thrown before any series is returned).</exception>
    public static IEnumerable<Entry>? Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            return null;
        Verify(path);
        return Entries(path);
    }

    private static void Verify(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long payloadLength = file.Length - Magic.Length - TrailerBytes;
        var magic = new byte[Magic.Length];
        if (payloadLength < 0 || file.Read(magic) != magic.Length || !magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{path}: not a snapshot of this version (bad magic or too short)");
        file.Seek(-TrailerBytes, SeekOrigin.End);
        var trailer = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        uint expectedCrc = trailer.ReadUInt32();
        long expectedLength = trailer.ReadInt64();
        if (expectedLength != payloadLength)
            throw new InvalidDataException($"{path}: truncated (payload is {payloadLength} bytes, trailer says {expectedLength})");
        file.Seek(Magic.Length, SeekOrigin.Begin);
        uint crc = uint.MaxValue;
        var buffer = new byte[1 << 16];
        for (long remaining = payloadLength; remaining > 0;)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
                throw new InvalidDataException($"{path}: truncated");
            crc = Crc32C.Update(crc, buffer.AsSpan(0, read));
            remaining -= read;
        }
        if (~crc != expectedCrc)
            throw new InvalidDataException($"{path}: checksum mismatch (expected {expectedCrc:x8}, computed {~crc:x8})");
    }

    private static IEnumerable<Entry> Entries(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        file.Seek(Magic.Length, SeekOrigin.Begin);
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        int targets = Bounded(reader.ReadInt32(), 100_000, "target count");
        for (int t = 0; t < targets; t++)
        {
            string name = reader.ReadString();
            long stepMs = reader.ReadInt64();
            int historySteps = reader.ReadInt32();
            int count = Bounded(reader.ReadInt32(), MaxValues, "series count");
            for (int s = 0; s < count; s++)
                yield return new Entry(name, stepMs, historySteps, ReadSeries(reader));
        }
    }

    private static SeriesSnapshot ReadSeries(BinaryReader reader)
    {
        int labelCount = Bounded(reader.ReadInt32(), MaxLabels, "label count");
        var labels = new List<KeyValuePair<string, string>>(labelCount);
        for (int i = 0; i < labelCount; i++)
            labels.Add(new(reader.ReadString(), reader.ReadString()));
        long first = reader.ReadInt64(), newest = reader.ReadInt64(), newestTimestamp = reader.ReadInt64(), lastReceived = reader.ReadInt64();
        bool ended = reader.ReadBoolean();
        var values = new float[Bounded(reader.ReadInt32(), MaxValues, "value count")];
        reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        return new SeriesSnapshot(new LabelSet(labels), first, newest, newestTimestamp, values, lastReceived, ended);
    }

    private static int Bounded(int value, int max, string what) =>
        value >= 0 && value <= max ? value : throw new InvalidDataException($"snapshot: {what} {value} is out of range");
}
