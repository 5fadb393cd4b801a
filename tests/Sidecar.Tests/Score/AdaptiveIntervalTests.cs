using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class AdaptiveIntervalTests
{
    /// <summary>
    /// Runs forecasts with a band of ±1 whose outcomes have the spread <paramref name="spread"/> (a function of
    /// the step, for drift); returns the share of outcomes inside the band as published, from <paramref name="from"/> on.
    /// </summary>
    private static double Coverage(int horizon, Func<long, double> spread, int steps, int from, int seed = 1)
    {
        var interval = new AdaptiveInterval([horizon], 0.9);
        var random = new Random(seed);
        var published = new Dictionary<long, float>();
        int covered = 0, judged = 0;
        for (long t = 0; t < steps; t++)
        {
            // The outcome of step t: normal noise around the median 0.
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            float actual = (float)(spread(t) * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            if (published.Remove(t, out float stretch) && t >= from)
            {
                judged++;
                covered += Math.Abs(actual) <= stretch ? 1 : 0;
            }
            interval.Observe(t, actual);
            published[t + horizon] = interval.Stretch(0);
            interval.Record(0, t, 0, -1, 1);
        }
        return covered / (double)judged;
    }

    [Fact]
    public void ATooNarrowBandIsStretchedToItsPromisedCoverage()
    {
        // The model's ±1 holds 68 % of outcomes of spread 1, 41 % of spread 2.
        Assert.InRange(Coverage(1, _ => 1, 20_000, 2_000), 0.88, 0.92);
        Assert.InRange(Coverage(1, _ => 2, 20_000, 2_000), 0.88, 0.92);
    }

    [Fact]
    public void ATooWideBandIsNarrowed()
    {
        Assert.InRange(Coverage(1, _ => 0.2, 20_000, 2_000), 0.88, 0.92);
    }

    [Fact]
    public void CoverageHoldsThroughDrift()
    {
        // The errors triple in size half-way, then fall back to a third: both stretches are found again.
        double Drift(long t) => t < 10_000 ? 1 : t < 20_000 ? 3 : 0.5;
        Assert.InRange(Coverage(1, Drift, 30_000, 2_000), 0.88, 0.92);
        Assert.InRange(Coverage(1, Drift, 20_000, 12_000), 0.88, 0.92);
    }

    [Fact]
    public void LongHorizonsLearnFromEveryKthForecastWithinTheirRing()
    {
        // 360 steps ahead (6 h of minutes): the ring keeps 16 forecasts, one every 23 steps.
        Assert.InRange(Coverage(360, _ => 1.5, 200_000, 40_000), 0.88, 0.92);
    }

    [Fact]
    public void GapsAndBandsWithoutIntervalsChangeNothing()
    {
        var interval = new AdaptiveInterval([1], 0.9);
        interval.Record(0, 0, 0, float.NaN, float.NaN);
        interval.Observe(1, 100);
        interval.Record(0, 1, 0, -1, 1);
        interval.Observe(2, float.NaN);
        Assert.Equal(1f, interval.Stretch(0));
    }

    [Fact]
    public void EachRowOfATargetsTableMovesExactlyAsThatSeriesOnItsOwn()
    {
        // Rows across three tiles of four, each series with its own spread; rows 5 and 7 never start.
        int[] horizons = [1, 12, 40];
        var table = new AdaptiveIntervals(WaitingSchedule.For(horizons), 0.1f, rowsPerTile: 4);
        int[] rows = [0, 1, 3, 4, 6, 9, 11];
        var alone = rows.ToDictionary(row => row, _ => new AdaptiveInterval(horizons, 0.9));
        var random = new Random(7);
        for (long t = 0; t < 3_000; t++)
        {
            foreach (int row in rows)
            {
                float actual = (float)((random.NextDouble() - 0.5) * (row + 1));
                if (t > 0 || row != 9) // a series' first forecast starts its row
                    table.Observe(row, t, actual);
                alone[row].Observe(t, actual);
                if (!table.Has(row))
                    table.Start(row);
                for (int h = 0; h < horizons.Length; h++)
                {
                    Assert.Equal(alone[row].Stretch(h), table.Stretch(row, h));
                    float median = actual * 0.5f, lower = median - 1 - h, upper = median + 1 + (row % 3);
                    table.Record(row, h, t, median, lower, upper);
                    alone[row].Record(h, t, median, lower, upper);
                }
            }
        }
        Assert.All(rows, row => Assert.NotEqual(1f, table.Stretch(row, 2)));
        Assert.False(table.Has(5));
        Assert.False(table.Has(7));
        Assert.False(table.Has(100));
    }

    [Fact]
    public void RowsAtDifferentStepsInOnePassMoveAsEachSeriesOnItsOwn()
    {
        // The table finds each horizon's slots once per step (issue 19); a pass may still hold series at
        // different steps (one catching up, one restored), here every other row three steps behind, so
        // consecutive calls switch steps: each row must still move exactly as its series alone.
        int[] horizons = [1, 5, 12];
        var table = new AdaptiveIntervals(WaitingSchedule.For(horizons), 0.1f, rowsPerTile: 4);
        int[] rows = [0, 1, 2, 3, 4, 5];
        var alone = rows.ToDictionary(row => row, _ => new AdaptiveInterval(horizons, 0.9));
        var random = new Random(11);
        foreach (int row in rows)
            table.Start(row);
        for (long t = 3; t < 2_000; t++)
        {
            foreach (int row in rows)
            {
                long step = row % 2 == 0 ? t : t - 3;
                float actual = (float)((random.NextDouble() - 0.5) * (row + 1));
                table.Observe(row, step, actual);
                alone[row].Observe(step, actual);
                for (int h = 0; h < horizons.Length; h++)
                {
                    float median = actual * 0.5f, lower = median - 0.2f - h, upper = median + 0.3f + (row % 3);
                    table.Record(row, h, step, median, lower, upper);
                    alone[row].Record(h, step, median, lower, upper);
                }
            }
        }
        foreach (int row in rows)
        {
            for (int h = 0; h < horizons.Length; h++)
                Assert.Equal(alone[row].Stretch(h), table.Stretch(row, h));
        }
        Assert.All(rows, row => Assert.NotEqual(1f, table.Stretch(row, 1)));
    }

    [Theory]
    [InlineData(32)] // eight rows at once (ObserveStaged's lanes)
    [InlineData(4)] // a tile narrower than the lanes: row by row
    public void StagedOutcomesMoveEachRowExactlyAsObservingItAloneDoes(int rowsPerTile)
    {
        // A target's step stages its series' outcomes and judges them together (issue 19); each row must
        // still move to the same bits as its series judged alone, through the cases the lanes compute both
        // sides of: outcomes above and below the median, on it, bands of no width on a side, gaps (NaN),
        // rows without an interval, rows staged at another step than the rest (one catching up).
        int[] horizons = [1, 5, 30];
        var table = new AdaptiveIntervals(WaitingSchedule.For(horizons), 0.1f, rowsPerTile);
        int rowCount = 3 * rowsPerTile + 5;
        var alone = new AdaptiveInterval?[rowCount];
        var random = new Random(23);
        for (int row = 0; row < rowCount; row++)
        {
            if (row % 7 == 3)
                continue; // never started: no interval
            table.Start(row);
            alone[row] = new AdaptiveInterval(horizons, 0.9);
        }
        for (long t = 10; t < 1_500; t++)
        {
            for (int row = 0; row < rowCount; row++)
            {
                long step = row % 11 == 5 ? t - 3 : t;
                float actual = (random.Next(20)) switch
                {
                    0 => float.NaN,
                    1 => 0.25f * (row % 5), // on the median recorded below, when that is the outcome's
                    _ => (float)(0.25f * (row % 5) + (random.NextDouble() - 0.5) * (0.1 + 0.3 * (row % 9))),
                };
                table.Stage(row, step, actual);
                alone[row]?.Observe(step, actual);
            }
            table.ObserveStaged();
            for (int row = 0; row < rowCount; row++)
            {
                if (alone[row] is not { } interval)
                    continue;
                long step = row % 11 == 5 ? t - 3 : t;
                for (int h = 0; h < horizons.Length; h++)
                {
                    float median = 0.25f * (row % 5);
                    // Every ninth forecast has no width below its median, every thirteenth none above.
                    float lower = (t + row) % 9 == 0 ? median : median - 0.3f - 0.1f * h;
                    float upper = (t + row) % 13 == 0 ? median : median + 0.2f + 0.1f * (row % 3);
                    table.Record(row, h, step, median, lower, upper);
                    interval.Record(h, step, median, lower, upper);
                }
            }
        }
        for (int row = 0; row < rowCount; row++)
        {
            Assert.Equal(alone[row] is not null, table.Has(row));
            for (int h = 0; alone[row] is { } interval && h < horizons.Length; h++)
                Assert.Equal(BitConverter.SingleToInt32Bits(interval.Stretch(h)), BitConverter.SingleToInt32Bits(table.Stretch(row, h)));
        }
        Assert.Contains(Enumerable.Range(0, rowCount), row => table.Has(row) && table.Stretch(row, 0) > 1);
        Assert.Contains(Enumerable.Range(0, rowCount), row => table.Has(row) && table.Stretch(row, 2) < 1);
    }

    [Fact]
    public void AStagedOutcomeIsJudgedBeforeAnythingElseReadsOrChangesItsRow()
    {
        var table = new AdaptiveIntervals(WaitingSchedule.For([1]), 0.1f, rowsPerTile: 8);
        table.Start(2);
        table.Record(2, 0, 0, 0, -1, 1);
        table.Stage(2, 1, 50); // a miss, waiting to be judged
        float judged = table.Stretch(2, 0);
        Assert.True(judged > 1);
        table.Stage(2, 1, 50); // the same step again (one restored and processed again): nothing waits for it now
        table.ObserveStaged();
        Assert.Equal(judged, table.Stretch(2, 0));

        table.Record(2, 0, 1, 0, -1, 1);
        table.Stage(2, 2, 50);
        var saved = AdaptiveInterval.CopyOf(table, 2); // copies the row as judged
        Assert.Equal(table.Stretch(2, 0), saved.Stretch(0));

        table.Record(2, 0, 2, 0, -1, 1);
        table.Stage(2, 3, 50);
        table.Stage(2, 4, 50); // another step: the first is judged first, the second finds nothing waiting
        float afterThird = table.Stretch(2, 0);
        Assert.True(afterThird > saved.Stretch(0));
        table.ObserveStaged();
        Assert.Equal(afterThird, table.Stretch(2, 0));
    }

    [Fact]
    public void ARemovedRowIsNoLongerJudgedAndARowCopiedOutAndBackCarriesOn()
    {
        var table = new AdaptiveIntervals(WaitingSchedule.For([1]), 0.1f, rowsPerTile: 256);
        table.Start(300);
        for (long t = 0; t < 100; t++)
        {
            table.Observe(300, t, 50); // far outside every band: each outcome a miss
            table.Record(300, 0, t, 0, -1, 1);
        }
        float stretched = table.Stretch(300, 0);
        Assert.True(stretched > 1);

        var saved = AdaptiveInterval.CopyOf(table, 300);
        Assert.Equal(stretched, saved.Stretch(0));
        table.Remove(300);
        Assert.False(table.Has(300));
        table.Observe(300, 100, 50);
        Assert.False(table.Has(300));

        saved.CopyTo(table, 17);
        table.Observe(17, 100, 50); // the forecast recorded at step 99 before the copy is judged after it
        Assert.True(table.Stretch(17, 0) > stretched);
        table.Start(300);
        Assert.Equal(1f, table.Stretch(300, 0));
        table.Observe(300, 100, 50);
        Assert.Equal(1f, table.Stretch(300, 0)); // started afresh: nothing waits
    }
}
