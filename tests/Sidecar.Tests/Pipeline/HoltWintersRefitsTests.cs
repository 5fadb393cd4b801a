using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Backtest;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>The training thread's Holt-Winters fits for <c>model.combine</c>: when a series is due, and how many a pass.</summary>
public sealed class HoltWintersRefitsTests
{
    private const long StepMs = 600_000; // 10 minutes: 144 steps a day
    private const int DaySteps = 144;

    private static (SeriesStore Store, TargetPipeline Pipeline, SimulatedClock Time) Target(int series, int days, string combine = "holt_winters")
    {
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            targets:
              - name: fits
                selector: 'fit_value'
                step: 10m
                horizons: [10m, 1h]
                history: 8d
                model:
                  combine: {combine}
            """);
        var time = new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(0));
        var store = new SeriesStore(settings, time);
        var registry = Metrics.NewCustomRegistry();
        var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        for (long step = 0; step < days * DaySteps; step++)
            Write(store, series, step);
        time.Set(DateTimeOffset.FromUnixTimeMilliseconds((days * DaySteps + 1) * StepMs));
        return (store, pipeline, time);
    }

    private static void Write(SeriesStore store, int series, long step)
    {
        for (int s = 0; s < series; s++)
        {
            List<KeyValuePair<string, string>> labels = [new("__name__", "fit_value"), new("instance", "host-" + s.ToString(CultureInfo.InvariantCulture))];
            store.Ingest(labels, [new SampleValue(step * StepMs, 10 * s + 5 * Math.Sin(2 * Math.PI * step / DaySteps))]);
        }
    }

    [Fact]
    public void EachPassFitsAFewSeriesTheStalestFirstUntilAllAreFitted()
    {
        var (_, pipeline, time) = Target(series: 20, days: 3);
        using (pipeline)
        {
            Assert.Equal(HoltWintersRefits.FitsPerPass, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.Equal(HoltWintersRefits.FitsPerPass, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.Equal(20 - 2 * HoltWintersRefits.FitsPerPass, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            // Every series fitted at this step: none is due again until a day has passed.
            Assert.Equal(0, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    [Fact]
    public void ASeriesIsFittedAgainOnceItsFitIsADayOld()
    {
        var (store, pipeline, time) = Target(series: 1, days: 3);
        using (pipeline)
        {
            Assert.Equal(1, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            for (long step = 3 * DaySteps; step < 4 * DaySteps - 1; step++)
                Write(store, 1, step);
            time.Set(DateTimeOffset.FromUnixTimeMilliseconds((4 * DaySteps) * StepMs));
            Assert.Equal(0, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Write(store, 1, 4 * DaySteps - 1);
            time.Set(DateTimeOffset.FromUnixTimeMilliseconds((4 * DaySteps + 1) * StepMs));
            Assert.Equal(1, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    [Fact]
    public void AFitRestoredAfterARestartIsNotMadeAgainUntilItIsADayOld()
    {
        var (_, pipeline, time) = Target(series: 2, days: 3);
        using (pipeline)
        {
            var series = pipeline.Store.Current();
            long last = 3 * DaySteps - 1;
            var combination = new Sidecar.Score.ForecastCombination([1, 6], DaySteps);
            combination.Adopt(new Sidecar.Model.Baselines.HoltWintersModel(0.2, 0.01, 0.1, 10, 0, new double[DaySteps], 0, 0), last - 5);
            var none = new PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false);
            pipeline.SeedScores(new SavedScores(0, 0, [new SavedSeriesScores(series[0].Labels.ToString(), default, default, null, none, null, combination)]));
            pipeline.Process();
            // Only the series that came back without a fit is fitted.
            Assert.Equal(1, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            Assert.Equal(0, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }

    [Fact]
    public void ASeriesWithLessThanTwoDaysWaitsAndNothingIsFittedWithoutCombine()
    {
        var (_, shortPipeline, shortTime) = Target(series: 3, days: 1);
        using (shortPipeline)
            Assert.Equal(0, shortPipeline.Refits.RunDue(shortTime.GetUtcNow().ToUnixTimeMilliseconds()));
        var (_, off, offTime) = Target(series: 3, days: 3, combine: "none");
        using (off)
            Assert.Equal(0, off.Refits.RunDue(offTime.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    [Fact]
    public void WhichSeriesAreDueIsLookedUpOnceAStepOrAMinuteForALongerStep()
    {
        var (store, pipeline, time) = Target(series: 1, days: 3);
        using (pipeline)
        {
            long now = time.GetUtcNow().ToUnixTimeMilliseconds();
            Assert.Equal(1, pipeline.Refits.RunDue(now));
            // A second series with the same three days joins (a backfill, say): the passes of the next minute don't see it.
            for (long step = 0; step < 3 * DaySteps; step++)
                Write(store, 2, step);
            Assert.Equal(0, pipeline.Refits.RunDue(now));
            Assert.Equal(0, pipeline.Refits.RunDue(now + 59_000));
            // A minute on, within the same 10-minute step, the look finds it; the first series' fit is not a day old.
            Assert.Equal(1, pipeline.Refits.RunDue(now + 60_000));
            Assert.Equal(0, pipeline.Refits.RunDue(now + 60_000));
            Assert.Equal(0, pipeline.Refits.RunDue(now + StepMs));
        }
    }

    [Fact]
    public void ASeriesWhoseFitIsRestoredAfterTheStepsScanIsPassedOver()
    {
        var (_, pipeline, time) = Target(series: 20, days: 3);
        using (pipeline)
        {
            Assert.Equal(HoltWintersRefits.FitsPerPass, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
            // Every series' fit comes back with the scoring state within the same step, made at the newest step.
            long last = 3 * DaySteps - 1;
            var none = new PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false);
            var restored = pipeline.Store.Current().Select(series =>
            {
                var combination = new Sidecar.Score.ForecastCombination([1, 6], DaySteps);
                combination.Adopt(new Sidecar.Model.Baselines.HoltWintersModel(0.2, 0.01, 0.1, 10, 0, new double[DaySteps], 0, 0), last);
                return new SavedSeriesScores(series.Labels.ToString(), default, default, null, none, null, combination);
            }).ToList();
            pipeline.SeedScores(new SavedScores(0, 0, restored));
            pipeline.Process();
            // The step's due list still names the twelve not fitted yet; each now has a fit of this step.
            Assert.Equal(0, pipeline.Refits.RunDue(time.GetUtcNow().ToUnixTimeMilliseconds()));
        }
    }
}
