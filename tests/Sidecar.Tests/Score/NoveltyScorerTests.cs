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
            if (scorer.Observe(step, random.NextSingle() * 2 - 1, float.NaN, float.NaN, double.NaN) > 1)
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
        Assert.Equal(4, scorer.Observe(step, 12, float.NaN, float.NaN, double.NaN), 6);
    }

    [Fact]
    public void StaysZeroUntilADayOfTheSeriesIsSeen()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 23, i => i % 2 == 0 ? 0f : 1f);
        Assert.Equal(0, scorer.Observe(step++, 1000, float.NaN, float.NaN, double.NaN));
        Assert.True(scorer.Observe(step, 1e6f, float.NaN, float.NaN, double.NaN) > 1);
    }

    [Fact]
    public void AShorterWarmupLetsNoveltySpeakSooner()
    {
        var scorer = new NoveltyScorer(Settings with { WarmupSteps = 8 });
        long step = Feed(scorer, 0, 8, i => i % 2 == 0 ? 0f : 1f);
        Assert.True(scorer.Observe(step, 1000, float.NaN, float.NaN, double.NaN) > 1);
    }

    [Fact]
    public void ASustainedShiftInsideTheValueRangeIsNovelByItsLevel()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 96, i => i % 2 == 0 ? -1f : 1f);
        // Every value stays inside [-1, 1], but the level (the mean of four steps) was 0 and leaves it.
        double highest = 0;
        for (int i = 0; i < 4; i++)
            highest = Math.Max(highest, scorer.Observe(step++, 0.9f, float.NaN, float.NaN, double.NaN));
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
            Assert.True(scorer.Observe(step, values[^1], step >= 24 ? values[(int)step - 24] : float.NaN, float.NaN, double.NaN) < 1);
        }
        // The wave stops halfway up: value and level stay in their ranges, the day-over-day change doesn't.
        double highest = 0;
        for (int i = 0; i < 12; i++, step++)
        {
            values.Add(5f);
            highest = Math.Max(highest, scorer.Observe(step, 5f, values[(int)step - 24], float.NaN, double.NaN));
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
            Assert.True(scorer.Observe(step, values[^1], step >= 24 ? values[(int)step - 24] : float.NaN, float.NaN, double.NaN) < 1);
        }
        for (; values[(int)step - 24] >= 0.5; step++)
        {
            values.Add((float)(10 * (step * Golden % 1)));
            scorer.Observe(step, values[^1], values[(int)step - 24], float.NaN, double.NaN);
        }
        // 9.5 is inside the value range, but 9 or more away from a day earlier: beyond the change record of 8.33.
        double novelty = scorer.Observe(step, 9.5f, values[(int)step - 24], float.NaN, double.NaN);
        Assert.Equal(novel, novelty > 1);
    }

    // A "week" of seven 24-step days: five workdays of a square wave between 0 and 10, two weekend days
    // flat at 2, each step with a little deterministic jitter so that no record has zero width.
    private const int WeekSteps = 7 * 24;

    private static float Workweek(long i) =>
        (i / 24 % 7 >= 5 ? 2f : i % 24 < 12 ? 0f : 10f) + (float)(0.1 * Math.Sin(i * 2.3));

    // The same, but the workday at `holiday` (a day index) looks like a weekend day.
    private static float WithHoliday(long i, long holiday) =>
        i / 24 == holiday ? 2f + (float)(0.1 * Math.Sin(i * 2.3)) : Workweek(i);

    /// <summary>Feeds <paramref name="values"/> from step 0, each with its day-ago and (when <paramref name="withWeek"/>) week-ago value; returns each step's novelty.</summary>
    private static double[] FeedSeasonal(NoveltyScorer scorer, Func<long, float> values, long count, bool withWeek)
    {
        var novelty = new double[count];
        for (long step = 0; step < count; step++)
        {
            novelty[step] = scorer.Observe(step, values(step), step >= 24 ? values(step - 24) : float.NaN,
                withWeek && step >= WeekSteps ? values(step - WeekSteps) : float.NaN, double.NaN);
        }
        return novelty;
    }

    [Fact]
    public void AWorkdayThatLooksLikeAWeekendIsNovelByItsWeekOverWeekChangeAlone()
    {
        // Three weeks, then a Wednesday (day 23) like a Sunday. Its values and levels are inside their
        // ranges, and it differs from the Tuesday before by as much as every Saturday differs from its
        // Friday, so the day-over-day view, counted on every series here, sees nothing; a week earlier
        // was an ordinary Wednesday.
        var settings = Settings with { DailyCorrelation = -1, WeekSteps = WeekSteps };
        long holiday = 3 * 7 + 2, count = (holiday + 1) * 24;
        double[] withWeek = FeedSeasonal(new NoveltyScorer(settings), i => WithHoliday(i, holiday), count, withWeek: true);
        double[] withoutWeek = FeedSeasonal(new NoveltyScorer(settings), i => WithHoliday(i, holiday), count, withWeek: false);

        // The first weekend is new to every view; from the second week on the series only repeats itself.
        int secondWeek = WeekSteps, holidayStart = (int)(holiday * 24);
        Assert.True(withWeek[holidayStart..].Max() > 1, $"highest on the holiday {withWeek[holidayStart..].Max()}");
        Assert.True(withoutWeek[secondWeek..].Max() < 1, $"without the week-ago values the other views reach {withoutWeek[secondWeek..].Max()}");
        // The ordinary weeks before it, the first week-over-week changes included, report nothing.
        Assert.True(withWeek[secondWeek..holidayStart].Max() < 1, $"highest before the holiday {withWeek[secondWeek..holidayStart].Max()}");
    }

    [Fact]
    public void TheWeekOverWeekViewWaitsForADayOfItsOwnChangesBeforeItCounts()
    {
        // The holiday on the second Monday, the first day with a week-ago value: the view's record then holds
        // less than a day of changes, and a record that young breaks at almost any value.
        var settings = Settings with { DailyCorrelation = -1, WeekSteps = WeekSteps };
        long holiday = 7, count = (holiday + 1) * 24;
        double[] novelty = FeedSeasonal(new NoveltyScorer(settings), i => WithHoliday(i, holiday), count, withWeek: true);
        Assert.True(novelty[WeekSteps..].Max() < 1, $"highest {novelty[WeekSteps..].Max()}");
    }

    [Theory]
    [InlineData(-1, true)]
    [InlineData(0.5, true)]
    [InlineData(1, false)]
    public void TheWeekOverWeekViewCountsOnlyWhileTheSeriesFollowsItsWeek(double correlation, bool novel)
    {
        // The jitter keeps the workweek's correlation with itself a week earlier just below 1: a gate at 1 closes the view.
        var settings = Settings with { DailyCorrelation = correlation, WeekSteps = WeekSteps };
        long holiday = 3 * 7 + 2, count = (holiday + 1) * 24;
        double[] novelty = FeedSeasonal(new NoveltyScorer(settings), i => WithHoliday(i, holiday), count, withWeek: true);
        Assert.Equal(novel, novelty.Max() > 1);
    }

    [Fact]
    public void AScorerSavedBeforeTheWeekViewReadsBackWithThatViewStartingAfresh()
    {
        var settings = Settings with { DailyCorrelation = -1, WeekSteps = WeekSteps };
        long holiday = 3 * 7 + 2;
        var original = new NoveltyScorer(settings);
        FeedSeasonal(original, i => WithHoliday(i, holiday), holiday * 24, withWeek: true);

        // What a build before the view wrote: the same fields up to the onset window, nothing after them.
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            original.WriteTo(writer);
        int weekPart = 17 + 4 + 4 * settings.SmoothingSteps + 52 + 4;
        byte[] before = stream.ToArray()[..^weekPart];
        using var reader = new BinaryReader(new MemoryStream(before));
        var restored = NoveltyScorer.ReadFrom(reader, settings, withWeek: false);
        Assert.Equal(before.Length, reader.BaseStream.Position);

        // The same state in full round-trips exactly; the old one has every view but the week's.
        stream.Position = 0;
        var roundTripped = NoveltyScorer.ReadFrom(new BinaryReader(stream), settings);
        double highestOriginal = 0, highestRestored = 0;
        for (long step = holiday * 24; step < (holiday + 1) * 24; step++)
        {
            float value = WithHoliday(step, holiday), dayAgo = WithHoliday(step - 24, holiday), weekAgo = WithHoliday(step - WeekSteps, holiday);
            double novelty = original.Observe(step, value, dayAgo, weekAgo, double.NaN);
            Assert.Equal(novelty, roundTripped.Observe(step, value, dayAgo, weekAgo, double.NaN));
            highestOriginal = Math.Max(highestOriginal, novelty);
            highestRestored = Math.Max(highestRestored, restored.Observe(step, value, dayAgo, weekAgo, double.NaN));
        }
        Assert.True(highestOriginal > 1, $"original {highestOriginal}");
        Assert.True(highestRestored < 1, $"the restored week view has no record yet, but reached {highestRestored}");
        Assert.True(restored.Observe(holiday * 24 + 24, 1000, 2, 2, double.NaN) > 1, "the restored value view works");
    }

    [Fact]
    public void AForecastSurpriseBeyondItsRecordIsNovel()
    {
        var scorer = new NoveltyScorer(Settings);
        var random = new Random(2);
        long step = 0;
        for (; step < 200; step++)
            scorer.Observe(step, 1f, float.NaN, float.NaN, random.NextDouble() * 3);
        Assert.True(scorer.Observe(step, 1f, float.NaN, float.NaN, 6) > 1);
    }

    [Fact]
    public void ReportsARiseOnceWhereItPeaksNotAtEveryStepOfThePlateauAfter()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 48, i => i % 2 == 0 ? 0f : 1f);
        Assert.True(scorer.Observe(step++, 50, float.NaN, float.NaN, double.NaN) > 1);
        // The plateau that follows goes beyond the (now wider) records by less than the spike did.
        for (int i = 0; i < 10; i++)
            Assert.Equal(0, scorer.Observe(step++, 2, float.NaN, float.NaN, double.NaN));
    }

    [Fact]
    public void AGapScoresZeroAndLeavesTheRecordsAsTheyWere()
    {
        var scorer = new NoveltyScorer(Settings);
        long step = Feed(scorer, 0, 48, Ramp);
        Assert.Equal(0, scorer.Observe(step++, float.NaN, float.NaN, float.NaN, double.NaN));
        Assert.Equal(step - 1, scorer.LastStep);
        Assert.Equal(4, scorer.Observe(step, 12, float.NaN, float.NaN, double.NaN), 6);
    }

    [Fact]
    public void KeepsUnderElevenHundredBytesPerSeriesAndObservingAllocatesNothing()
    {
        // The defaults at a 5m step: three windows of 48 steps (level, day-over-day, week-over-week) are most of it.
        var defaults = new NoveltySettings(0.05, SmoothingSteps: 48, DaySteps: 288, HalfLifeSteps: 16128, OnsetSteps: 12, DailyCorrelation: -1, WarmupSteps: 288, WeekSteps: 2016);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var scorer = new NoveltyScorer(defaults);
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.InRange(size, 1, 1100);

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
            scorer.Observe(step, value(step), float.NaN, float.NaN, double.NaN);
        return from + count;
    }
}
