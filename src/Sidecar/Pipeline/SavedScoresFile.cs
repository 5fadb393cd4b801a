using System.Text;
using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>
/// A target's scoring state on disk, <c>states/&lt;target&gt;.scores</c> in the data directory, written
/// beside each store snapshot like the streaming states (<see cref="ChecksummedFile"/>). Without it a
/// restart would put every score back into its warm-up, and novelty would rebuild its records from the
/// store's history: 40–50 s for 100,000 series with a week each, and without the surprise view's records,
/// which the store doesn't keep.
/// </summary>
/// <remarks>
/// Layout: the magic <c>FSSCORE6</c>; the payload (the novelty smoothing and onset steps, both 0 when
/// novelty was off; the series count; then per series its key, the anomaly scorer's scale, the surprise's
/// mean and spread, the pending one-step forecast, whether a novelty scorer follows, and that scorer,
/// whether an adaptive interval follows, and that interval, whether a forecast combination follows, and
/// that combination with its fitted Holt-Winters, whose season is kept in 16 bits); the CRC-32C of the
/// payload. Older files are still read: <c>FSSCORE5</c> (novelty before its week-over-week view, which
/// starts afresh), <c>FSSCORE4</c> (the season in doubles, rounded to 16 bits as it is
/// read), <c>FSSCORE3</c> (combinations weighted by each member's error, whose weights start again), <c>FSSCORE2</c>
/// (before combinations) and <c>FSSCORE1</c> (before adaptive intervals), whose series start those afresh.
/// </remarks>
internal static class SavedScoresFile
{
    private static readonly byte[] Magic = "FSSCORE6"u8.ToArray();
    private static readonly byte[] MagicBeforeWeekView = "FSSCORE5"u8.ToArray();
    private static readonly byte[] MagicBeforeCompactSeasons = "FSSCORE4"u8.ToArray();
    private static readonly byte[] MagicBeforeMixes = "FSSCORE3"u8.ToArray();
    private static readonly byte[] MagicBeforeCombinations = "FSSCORE2"u8.ToArray();
    private static readonly byte[] MagicBeforeIntervals = "FSSCORE1"u8.ToArray();
    private const int MaxSeries = 10_000_000, MaxWindowSteps = 1 << 20;

    public static string PathFor(string directory, string target) => Path.Combine(directory, "states", target + ".scores");

    public static void Write(string path, SavedScores scores)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(scores.NoveltySmoothingSteps);
            writer.Write(scores.NoveltyOnsetSteps);
            writer.Write(scores.Series.Count);
            bool novelty = scores.NoveltySmoothingSteps > 0;
            foreach (var s in scores.Series)
            {
                writer.Write(s.Key);
                s.Scorer.WriteTo(writer);
                s.Surprise.WriteTo(writer);
                writer.Write(s.Pending.Step);
                writer.Write(s.Pending.OneStep);
                writer.Write(s.Pending.LowerGap);
                writer.Write(s.Pending.UpperGap);
                writer.Write(s.Pending.FromModel);
                var noveltyScorer = novelty ? s.Novelty : null;
                writer.Write(noveltyScorer is not null);
                noveltyScorer?.WriteTo(writer);
                writer.Write(s.Interval is not null);
                s.Interval?.WriteTo(writer);
                writer.Write(s.Combination is not null);
                s.Combination?.WriteTo(writer);
            }
        }
        ChecksummedFile.Write(path, Magic, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <param name="novelty">The novelty settings now; saved novelty scorers are kept only where their windows fit them.</param>
    /// <exception cref="InvalidDataException">The file is damaged, truncated or not a scores file.</exception>
    public static SavedScores Read(string path, NoveltySettings? novelty)
    {
        int version = StartsWith(path, MagicBeforeIntervals) ? 1 : StartsWith(path, MagicBeforeCombinations) ? 2 : StartsWith(path, MagicBeforeMixes) ? 3
            : StartsWith(path, MagicBeforeCompactSeasons) ? 4 : StartsWith(path, MagicBeforeWeekView) ? 5 : 6;
        bool withIntervals = version >= 2, withCombinations = version >= 3;
        byte[] payload = ChecksummedFile.ReadPayload(path,
            version switch { 1 => MagicBeforeIntervals, 2 => MagicBeforeCombinations, 3 => MagicBeforeMixes, 4 => MagicBeforeCompactSeasons, 5 => MagicBeforeWeekView, _ => Magic }, "scoring-state file");
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
            int smoothing = reader.ReadInt32(), onset = reader.ReadInt32(), count = reader.ReadInt32();
            bool saved = smoothing > 0;
            if (smoothing < 0 || smoothing > MaxWindowSteps || onset < 0 || onset > MaxWindowSteps || saved != onset > 0 || count < 0 || count > MaxSeries)
                throw new InvalidDataException($"{path}: bad header (novelty windows {smoothing} and {onset}, {count} series)");
            // Scorers saved under other windows are read with those, to get past them, and then dropped.
            var written = new NoveltySettings(1, Math.Max(smoothing, 1), 1, 0, Math.Max(onset, 1), -1, Math.Max(smoothing, 1));
            bool fits = novelty is not null && novelty.SameWindows(written);
            var layout = fits ? novelty! : written;
            var series = new List<SavedSeriesScores>(Math.Min(count, 1 << 16));
            for (int i = 0; i < count; i++)
            {
                string key = reader.ReadString();
                var scorer = AnomalyScorer.ReadFrom(reader);
                var surprise = ScoreSurprise.ReadFrom(reader);
                var pending = new PendingForecast(reader.ReadInt64(), reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle(), reader.ReadBoolean());
                bool hasNovelty = reader.ReadBoolean();
                if (hasNovelty && !saved)
                    throw new InvalidDataException($"series {i} has a novelty scorer, but the header says novelty was off");
                NoveltyScorer? noveltyScorer = hasNovelty ? NoveltyScorer.ReadFrom(reader, layout, withWeek: version >= 6) : null;
                AdaptiveInterval? interval = withIntervals && reader.ReadBoolean() ? AdaptiveInterval.ReadFrom(reader) : null;
                ForecastCombination? combination = withCombinations && reader.ReadBoolean() ? ForecastCombination.ReadFrom(reader, memberErrors: version == 3, seasonAsDoubles: version <= 4) : null;
                series.Add(new SavedSeriesScores(key, scorer, surprise, fits ? noveltyScorer : null, pending, interval, combination));
            }
            if (reader.BaseStream.Position != payload.Length)
                throw new InvalidDataException($"{path}: {payload.Length - reader.BaseStream.Position} bytes after the last series");
            return new SavedScores(smoothing, onset, series);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"{path}: truncated", e);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static bool StartsWith(string path, byte[] magic)
    {
        using var file = File.OpenRead(path);
        var head = new byte[magic.Length];
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head.AsSpan().SequenceEqual(magic);
    }
}
