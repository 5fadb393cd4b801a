using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class NoveltyScorerTests
{
    // A "day" of 24 steps keeps the tests short; the sidecar derives it from the target's step.
    private static readonly NoveltySettings Settings = new(Tolerance: 0.05, SmoothingSteps: 4, DaySteps: 24, HalfLifeSteps: 0, OnsetSteps: 3, DailyCorrelation: 0.5, WarmupSteps: 24);

    [Fact]
    public void NoiseIsRarelyNovel()
    {
        var scorer = new NoveltyScorer(Settings);
        var random = new Random(5);
        int novel = 0;
        for (long step = 0; step < 5000; step++)
        {
            if (scorer.Observe(step, random.NextSingle() * 2 - 1, float.NaN, double.NaN) > 1)
                novel++;
        }
        // Noise sets a new record ever more rarely (about ln n times per view); the tolerance hides the smallest.
        Assert.InRange(novel, 0, 10);
    }

    [Fact]
    public void AValueBeyondItsRecordsScoresTheDistanceInTolerances()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 48, Ramp);
        // 2 beyond a range of 10 is 20 %, four tolerances of 5 %; the level view stays inside its range.
        Assert.Equal(4, scorer.Observe(step, 12, float.NaN, double.NaN), 6);
    }

    [Fact]
    public void StaysZeroUntilADayOfTheSeriesIsSeen()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 23, i => i % 2 == 0 ? 0f : 1f);
        Assert.Equal(0, scorer.Observe(step++, 1000, float.NaN, double.NaN));
        Assert.True(scorer.Observe(step, 1e6f, float.NaN, double.NaN) > 1);
    }

    [Fact]
    public void AShorterWarmupLetsNoveltySpeakSooner()
    {
        var scorer = new NoveltyScorer(Settings with { WarmupSteps = 8 });
        long step = Feed(scorer, 0, 8, i => i % 2 == 0 ? 0f : 1f);
        Assert.True(scorer.Observe(step, 1000, float.NaN, double.NaN) > 1);
    }

    [Fact]
    public void ASustainedShiftInsideTheValueRangeIsNovelByItsLevel()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 96, i => i % 2 == 0 ? -1f : 1f);
        // Every value stays inside [-1, 1], but the level (the mean of four steps) was 0 and leaves it.
        double highest = 0;
        for (int i = 0; i < 4; i++)
            highest = Math.Max(highest, scorer.Observe(step++, 0.9f, float.NaN, double.NaN));
        Assert.True(highest > 1, $"highest {highest}");
    }

    [Fact]
    public void ADailyPatternThatStopsIsNovelByItsDayOverDayChange()
    {
        // A square wave with a 24-step period, repeated exactly: the change from a day earlier is 0.
        static float Wave(long i) => i % 24 < 12 ? 0f : 10f;
        var scorer = new NoveltyScorer(Settings);
        var values = new List<float>();
        long step = 0;
        for (; step < 24 * 5; step++)
        {
            values.Add(Wave(step));
            Assert.True(scorer.Observe(step, values[^1], step >= 24 ? values[(int)step - 24] : float.NaN, double.NaN) < 1);
        }
        // The wave stops halfway up: value and level stay in their ranges, the day-over-day change doesn't.
        double highest = 0;
        for (int i = 0; i < 12; i++, step++)
        {
            values.Add(5f);
            highest = Math.Max(highest, scorer.Observe(step, 5f, values[(int)step - 24], double.NaN));
        }
        Assert.True(highest > 1, $"highest {highest}");
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0.5, false)]
    public void TheDayOverDayViewCountsOnlyForASeriesWithADailyPattern(double dailyCorrelation, bool novel)
    {
        // A golden-ratio sequence fills [0, 10) evenly and has no daily pattern (its correlation with a day
        // earlier is 0.16). Its change from a day earlier is always 8.33 or 1.67.
        var settings = Settings with { SmoothingSteps = 1, OnsetSteps = 1, DailyCorrelation = dailyCorrelation };
        var scorer = new NoveltyScorer(settings);
        const double Golden = 1.6180339887498949;
        var values = new List<float>();
        long step = 0;
        for (; step < 24 * 6; step++)
        {
            values.Add((float)(10 * (step * Golden % 1)));
            Assert.True(scorer.Observe(step, values[^1], step >= 24 ? values[(int)step - 24] : float.NaN, double.NaN) < 1);
        }
        for (; values[(int)step - 24] >= 0.5; step++)
        {
            values.Add((float)(10 * (step * Golden % 1)));
            scorer.Observe(step, values[^1], values[(int)step - 24], double.NaN);
        }
        // 9.5 is inside the value range, but 9 or more away from a day earlier: beyond the change record of 8.33.
        double novelty = scorer.Observe(step, 9.5f, values[(int)step - 24], double.NaN);
        Assert.Equal(novel, novelty > 1);
    }

    [Fact]
    public void AForecastSurpriseBeyondItsRecordIsNovel()
    {
        var scorer = new NoveltyScorer(Settings);
        var random = new Random(2);
        long step = 0;
        for (; step < 200; step++)
            scorer.Observe(step, 1f, float.NaN, random.NextDouble() * 3);
        Assert.True(scorer.Observe(step, 1f, float.NaN, 6) > 1);
    }

    [Fact]
    public void ReportsARiseOnceWhereItPeaksNotAtEveryStepOfThePlateauAfter()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 48, i => i % 2 == 0 ? 0f : 1f);
        Assert.True(scorer.Observe(step++, 50, float.NaN, double.NaN) > 1);
        // The plateau that follows goes beyond the (now wider) records by less than the spike did.
        for (int i = 0; i < 10; i++)
            Assert.Equal(0, scorer.Observe(step++, 2, float.NaN, double.NaN));
    }

    [Fact]
    public void AGapScoresZeroAndLeavesTheRecordsAsTheyWere()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 48, Ramp);
        Assert.Equal(0, scorer.Observe(step++, float.NaN, float.NaN, double.NaN));
        Assert.Equal(step - 1, scorer.LastStep);
        Assert.Equal(4, scorer.Observe(step, 12, float.NaN, double.NaN), 6);
    }

    [Fact]
    public void KeepsUnderSixHundredBytesPerSeriesAndObservingAllocatesNothing()
    {
        var defaults = new NoveltySettings(0.05, SmoothingSteps: 24, DaySteps: 288, HalfLifeSteps: 16128, OnsetSteps: 12, DailyCorrelation: 0.5, WarmupSteps: 288);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var scorer = new NoveltyScorer(defaults);
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(size, 1, 600);

        Feed(scorer, 0, 400, Ramp);
        before = GC.GetAllocatedBytesForCurrentThread();
        Feed(scorer, 400, 1000, Ramp);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // Up from 0 to 10 and back down over 20 steps, again and again: the level moves through a range too.
    private static float Ramp(long step) => Math.Abs(step % 20 - 10);

    private static long Feed(NoveltyScorer scorer, long from, int count, Func<long, float> value)
    {
        for (long step = from; step < from + count; step++)
            scorer.Observe(step, value(step), float.NaN, double.NaN);
        return from + count;
    }
}
