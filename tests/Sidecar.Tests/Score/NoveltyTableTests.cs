using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class NoveltyTableTests
{
    // Short windows, so a few thousand steps cross every warm-up, gate and wrap many times.
    private static readonly NoveltySettings Gated = new(Tolerance: 0.05, SmoothingSteps: 4, DaySteps: 24, HalfLifeSteps: 30, OnsetSteps: 3, DailyCorrelation: 0.3, WarmupSteps: 24, WeekSteps: 48);

    // Every seasonal view counts, nothing fades, every rise reports.
    private static readonly NoveltySettings Ungated = new(Tolerance: 0.1, SmoothingSteps: 5, DaySteps: 24, HalfLifeSteps: 0, OnsetSteps: 1, DailyCorrelation: -1, WarmupSteps: 10, WeekSteps: 48);

    public static TheoryData<string> SettingsNames => new() { nameof(Gated), nameof(Ungated) };

    [Theory]
    [MemberData(nameof(SettingsNames))]
    public void EachRowScoresExactlyAsItsScorerAlone(string name)
    {
        NoveltySettings settings = name == nameof(Gated) ? Gated : Ungated;
        // Rows in three tiles, some blocks full and some with one row; each series its own kind of data.
        int[] rows = [0, 1, 2, 3, 5, 6, 9, 254, 255, 256, 257, 258, 300, 513, 514];
        var random = new Random(23);
        var table = new NoveltyTable(settings);
        var alone = new NoveltyScorer?[rows.Length];
        var history = rows.Select(_ => new List<float>()).ToArray();
        var scratch = new NoveltyScorer(settings);
        int novel = 0, notANumber = 0, caughtUp = 0;
        var expected = new double[rows.Length];
        for (long step = 0; step < 3000; step++)
        {
            var staged = new bool[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                if (alone[i] is null)
                {
                    // Series start at different steps, and a few with a scorer that has run elsewhere already.
                    if (step < i * 37)
                        continue;
                    alone[i] = new NoveltyScorer(settings);
                    // A scorer restored with its windows at different places wraps them at different steps.
                    if (i % 4 == 3)
                        alone[i]!.Changes.Set(1, 0, 0);
                    table.CopyIn(alone[i]!, rows[i]);
                }
                float value = ValueOf(i, step, random);
                history[i].Add(value);
                // A series the loop skipped for a step or two is fed later; its table row then isn't at the step before.
                if (random.NextDouble() < 0.02)
                    continue;
                int count = history[i].Count;
                float dayAgo = count > settings.DaySteps ? history[i][count - 1 - settings.DaySteps] : float.NaN;
                float weekAgo = count > settings.WeekSteps ? history[i][count - 1 - settings.WeekSteps] : float.NaN;
                double surprise = random.NextDouble() < 0.3 ? double.NaN : Math.Abs(random.NextDouble() * random.NextDouble() * 3);
                expected[i] = alone[i]!.Observe(step, value, dayAgo, weekAgo, surprise);
                staged[i] = table.TryStage(rows[i], step, value, dayAgo, weekAgo, surprise);
                if (!staged[i])
                {
                    table.CopyOut(rows[i], scratch);
                    table.CopyIn(scratch, rows[i], scratch.Observe(step, value, dayAgo, weekAgo, surprise));
                    caughtUp++;
                }
            }
            table.ObserveStaged();
            for (int i = 0; i < rows.Length; i++)
            {
                if (alone[i] is null || alone[i]!.LastStep != step)
                    continue;
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(table.Novelty(rows[i])),
                    $"row {rows[i]} step {step} staged {staged[i]}: {expected[i]:R} alone, {table.Novelty(rows[i]):R} in the table");
                novel += expected[i] > 0 ? 1 : 0;
                notANumber += double.IsNaN(expected[i]) ? 1 : 0;
                // Every step of a series' first few (where records are first filled), then now and then.
                if (step < i * 37 + 60 || step % 97 == 0)
                    AssertSameState(alone[i]!, table.CopyOut(rows[i], new NoveltyScorer(settings)));
            }
        }
        for (int i = 0; i < rows.Length; i++)
            AssertSameState(alone[i]!, table.Export(rows[i]));
        // The data reached every branch that matters: onsets, catch-ups, and the NaN a record of infinity
        // gives (published only where every rise reports: elsewhere NaN is never the highest of its steps).
        Assert.True(novel > 50, $"{novel} novel steps");
        Assert.True(notANumber > 0 == (settings.OnsetSteps == 1), $"{notANumber} NaN novelties");
        Assert.True(caughtUp > 100, $"{caughtUp} catch-ups");
    }

    [Fact]
    public void OnlyARowAtTheStepBeforeIsStagedAndAStagedBlockIsNotCopiedUntilObserved()
    {
        var table = new NoveltyTable(Gated);
        var scorer = new NoveltyScorer(Gated);
        scorer.Observe(10, 1, float.NaN, float.NaN, double.NaN);
        table.CopyIn(scorer, 7);
        Assert.False(table.TryStage(7, 12, 1, float.NaN, float.NaN, double.NaN));
        Assert.False(table.TryStage(6, 11, 1, float.NaN, float.NaN, double.NaN));
        Assert.False(table.TryStage(5000, 11, 1, float.NaN, float.NaN, double.NaN));
        Assert.Equal(10, table.LastStep(7));
        Assert.True(table.TryStage(7, 11, 1, float.NaN, float.NaN, double.NaN));
        Assert.False(table.TryStage(7, 11, 1, float.NaN, float.NaN, double.NaN));
        // Row 7 is half-way through the step; the other rows of its block (4 to 6) are not.
        Assert.Throws<InvalidOperationException>(() => table.CopyOut(7, scorer));
        Assert.Throws<InvalidOperationException>(() => table.CopyIn(scorer, 7));
        table.CopyIn(scorer, 4);
        table.ObserveStaged();
        Assert.Equal(11, table.LastStep(7));
        Assert.Equal(10, table.LastStep(4));
    }

    [Fact]
    public void ARemovedRowHoldsNothingAndAScorerOfOtherWindowsIsRefused()
    {
        var table = new NoveltyTable(Gated);
        table.CopyIn(new NoveltyScorer(Gated), 3);
        Assert.True(table.Has(3));
        table.Remove(3);
        Assert.False(table.Has(3));
        Assert.Equal(long.MinValue, table.LastStep(3));
        Assert.Throws<ArgumentException>(() => table.Export(3));
        Assert.Throws<ArgumentException>(() => table.CopyIn(new NoveltyScorer(Gated with { SmoothingSteps = 6 }), 3));
    }

    // Per series its own shape: daily waves that sometimes stop, noise, a constant, a weekly pattern, a
    // counter-like climb; with gaps, spikes and, rarely, infinities.
    private static float ValueOf(int series, long step, Random random)
    {
        double r = random.NextDouble();
        if (r < 0.04)
            return float.NaN;
        if (r < 0.0015 + 0.04 && series % 5 == 1)
            return random.Next(2) == 0 ? float.PositiveInfinity : float.NegativeInfinity;
        double value = (series % 5) switch
        {
            0 => 10 * Math.Sin(2 * Math.PI * step / 24) + random.NextDouble(),
            1 => random.NextDouble() * 4 - 2,
            2 => series == 2 ? 7 : 7 + (step > 2000 ? 3 : 0),
            3 => (step / 24 % 7 < 5 ? 20 : 5) + random.NextDouble(),
            _ => step * 0.5 + random.NextDouble(),
        };
        if (random.NextDouble() < 0.01)
            value *= 10;
        return (float)value;
    }

    private static void AssertSameState(NoveltyScorer expected, NoveltyScorer actual)
    {
        Assert.Equal(Bytes(expected), Bytes(actual));
        // The running sums aren't written (a reader recounts them), yet the table must carry them as they were.
        Assert.Equal(expected.Recent.Sum, actual.Recent.Sum);
        Assert.Equal(expected.Changes.Sum, actual.Changes.Sum);
        Assert.Equal(expected.WeekChanges.Sum, actual.WeekChanges.Sum);
        Assert.Equal(expected.Recent.Count + expected.Changes.Count + expected.WeekChanges.Count, actual.Recent.Count + actual.Changes.Count + actual.WeekChanges.Count);
    }

    private static byte[] Bytes(NoveltyScorer scorer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            scorer.WriteTo(writer);
        return stream.ToArray();
    }
}
