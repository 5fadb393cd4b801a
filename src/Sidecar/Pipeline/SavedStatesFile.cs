using System.Runtime.InteropServices;
using System.Text;
using Sidecar.Model;
using Sidecar.Host;

namespace Sidecar.Pipeline;

/// <summary>
/// A target's streaming states on disk, <c>states/&lt;target&gt;.states</c> in the data directory,
/// written beside each store snapshot: to a temporary file, flushed and renamed, with a CRC-32C over the
/// payload. Without them a restart would warm every series up again from its last window, which lands
/// close to the carried state but not on it.
/// </summary>
/// <remarks>
/// Layout: the magic <c>FSSTATE2</c>; the payload (config hash, trained-at ticks, layers, hidden size,
/// series count, then per series its key, state step, anchor, fast and slow level
/// (<see cref="InputLevels"/>), scaler centre and spread, the hidden and
/// cell state as float32, and the forecast made at the state step as a count and float32 values); the
/// CRC-32C of the payload (uint32, little-endian). <c>FSSTATE1</c>, written before the smoothed levels,
/// is read too: it has the anchor alone, and the models it was written for don't use the levels.
/// </remarks>
internal static class SavedStatesFile
{
    private static readonly byte[] Magic = "FSSTATE2"u8.ToArray();
    private static readonly byte[] MagicBeforeLevels = "FSSTATE1"u8.ToArray();
    private const int MaxSeries = 10_000_000, MaxStateFloats = 1 << 20;

    public static string PathFor(string directory, string target) => Path.Combine(directory, "states", target + ".states");

    public static void Write(string path, SavedStates states)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(states.ConfigHash);
            writer.Write(states.TrainedAtTicks);
            writer.Write(states.Layers);
            writer.Write(states.HiddenSize);
            writer.Write(states.Series.Count);
            foreach (var s in states.Series)
            {
                writer.Write(s.Key);
                writer.Write(s.StateStep);
                writer.Write(s.Levels.Anchor);
                writer.Write(s.Levels.Fast);
                writer.Write(s.Levels.Slow);
                writer.Write(s.Scaler.Center);
                writer.Write(s.Scaler.Spread);
                writer.Write(MemoryMarshal.AsBytes(s.Hidden.AsSpan()));
                writer.Write(MemoryMarshal.AsBytes(s.Cell.AsSpan()));
                writer.Write(s.Forecast.Length);
                writer.Write(MemoryMarshal.AsBytes(s.Forecast.AsSpan()));
            }
        }
        ChecksummedFile.Write(path, Magic, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <exception cref="InvalidDataException">The file is damaged, truncated or not a states file.</exception>
    public static SavedStates Read(string path)
    {
        bool withLevels = !StartsWith(path, MagicBeforeLevels);
        byte[] payload = ChecksummedFile.ReadPayload(path, withLevels ? Magic : MagicBeforeLevels, "streaming-states file");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            string hash = reader.ReadString();
            long trainedAt = reader.ReadInt64();
            int layers = reader.ReadInt32(), hidden = reader.ReadInt32(), count = reader.ReadInt32();
            int stateFloats = layers * hidden;
            if (layers <= 0 || hidden <= 0 || stateFloats > MaxStateFloats || count < 0 || count > MaxSeries)
                throw new InvalidDataException($"{path}: bad header ({layers} layers, {hidden} hidden, {count} series)");
            var series = new List<SavedSeriesState>(Math.Min(count, 1 << 16));
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                long step = reader.ReadInt64();
                float anchor = reader.ReadSingle();
                InputLevels levels = withLevels
                    ? new InputLevels { Anchor = anchor, Fast = reader.ReadSingle(), Slow = reader.ReadSingle() }
                    : InputLevels.At(anchor);
                float center = reader.ReadSingle(), spread = reader.ReadSingle();
                var h = new float[stateFloats];
                var c = new float[stateFloats];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(h.AsSpan()));
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(c.AsSpan()));
                int forecastLength = reader.ReadInt32();
                if (forecastLength < 0 || forecastLength > MaxStateFloats)
                    throw new InvalidDataException($"{path}: bad forecast length {forecastLength}");
                var forecast = new float[forecastLength];
                reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(forecast.AsSpan()));
                series.Add(new SavedSeriesState(key, step, levels, new RobustScaler(center, spread), h, c, forecast));
            }
            return new SavedStates(hash, trainedAt, layers, hidden, series);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated", e);
        }
    }

    private static bool StartsWith(string path, byte[] magic)
    {
        Span<byte> head = stackalloc byte[magic.Length];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.SequenceEqual(magic);
    }
}
