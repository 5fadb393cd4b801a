using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The fallback's sliding predict_linear gives, at every step, the line a refit of the same window gives,
/// on history as messy as ingest writes it: gaps, several samples a step, re-sent samples, late samples
/// filling gaps, a newest step read before it is finished (a backfill, a stalled series), reads a few steps
/// apart (a pipeline behind ingest), silences longer than the history, flat stretches, infinities, huge values; and it does so without reading the whole
/// window at every step.
/// </summary>
public sealed class SlidingPredictLinearTests
{
    // 1 s steps, 10 minutes of history; a window of 61 steps, as predict_linear(v[1m]) reads.
    private const int WindowSteps = 61;

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(false, 3)]
    [InlineData(true, 4)]
    [InlineData(true, 5)]
    public void AgreesWithARefitOfTheSameWindowAtEveryStep(bool counter, int seed)
    {
        var settings = TestSettings.SmallTarget().Targets[0];
        var series = new TargetStore(settings).Add(new LabelSet([new("__name__", counter ? "m_total" : "m")]), isCounter: counter);
        long stepMs = settings.StepMs;
        var random = new Random(seed);
        var sliding = new SlidingPredictLinear(WindowSteps);
        var refit = new PredictLinearForecaster(WindowSteps - 1);
        var scratch = new float[WindowSteps];
        var window = new float[WindowSteps];
        var recent = new float[2 * WindowSteps];
        long step = 1_000, processed = long.MinValue;
        double level = 50, total = 0;
        int regime = 0;
        int compared = 0, flat = 0;
        for (int i = 0; i < 4_000; i++)
        {
            step += random.NextDouble() switch { < 0.90 => 1, < 0.995 => random.Next(2, 6), _ => 700 };
            level = NextLevel(random, ref regime, level);
            int samples = random.Next(1, 4);
            for (int s = 0; s < samples; s++)
            {
                long timestamp = step * stepMs + s * 300 + random.Next(0, 300);
                total += random.NextDouble() < 0.01 ? -total : Math.Abs(level);
                series.Append(timestamp, counter ? total : level, timestamp);
                if (random.NextDouble() < 0.05)
                    series.Append(timestamp, counter ? total : level + 1, timestamp); // re-sent: changes nothing
            }
            if (!counter && random.NextDouble() < 0.1)
            {
                // A late sample into a step of the window: it fills a gap, and never replaces a value.
                long late = step - random.Next(1, WindowSteps + 5);
                series.Append(late * stepMs + 10, level + 3, step * stepMs);
            }
            // The pipeline may read while a request is still writing, before its batch ends.
            bool readMidBatch = random.NextDouble() < 0.2;
            if (!readMidBatch)
                series.EndBatch();

            // The pipeline reads the newest closed step: live, the step before the one being filled; in a
            // backfill or once the series stalls, the one being filled too.
            long now = random.NextDouble() < 0.25 ? long.MaxValue / 2 : step * stepMs + 1;
            long closed = series.LastClosedStepAt(now);
            // A pipeline that falls behind ingest reads a series a few steps later, not at every step.
            if (closed <= processed || random.NextDouble() < 0.3)
            {
                series.EndBatch();
                continue;
            }
            processed = closed;
            sliding.MoveTo(series, closed, scratch);
            series.CopyHistory(closed, window);
            Assert.Equal(window[^1], sliding.Newest);
            Assert.Equal(window.Count(v => !float.IsNaN(v)), sliding.Count);
            Assert.Equal(!float.IsNaN(window[0]), sliding.OldestObserved);
            var expected = new float[2];
            bool fitted = refit.TryForecast(window, [0, WindowSteps], expected);
            Assert.Equal(fitted, sliding.TryFit(out double value, out double slope));
            series.EndBatch();
            compared++;
            if (!fitted)
                continue;
            float[] actual = [(float)value, (float)(value + slope * WindowSteps)];
            if (expected[0] == expected[1])
            {
                // A flat window is exactly flat, as Prometheus makes it: no rounding noise either way.
                flat++;
                Assert.Equal(expected, actual);
                continue;
            }
            // Rounding scales with the values summed since the last whole read, at most a window before this one.
            series.CopyHistory(closed, recent);
            double scale = recent.Where(float.IsFinite).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max() + 1;
            for (int h = 0; h < 2; h++)
            {
                if (!float.IsFinite(expected[h]))
                    Assert.Equal(float.IsNaN(expected[h]), float.IsNaN(actual[h]));
                else
                    Assert.True(Math.Abs(expected[h] - actual[h]) <= 1e-6 * scale, $"step {closed}: refit {expected[h]}, sliding {actual[h]}");
            }
        }
        Assert.True(compared > 1_500, $"{compared} steps compared");
        if (!counter)
            Assert.True(flat > 50, $"{flat} flat windows compared");
    }

    [Fact]
    public void ReadsTheWholeWindowAboutOnceAWindowOnOrderlyHistory()
    {
        var settings = TestSettings.SmallTarget().Targets[0];
        var series = new TargetStore(settings).Add(new LabelSet([new("__name__", "m")]), isCounter: false);
        var sliding = new SlidingPredictLinear(WindowSteps);
        var scratch = new float[WindowSteps];
        const int Steps = 1_000;
        long processed = long.MinValue;
        for (long step = 0; step < Steps; step++)
        {
            // Four samples a step, as a 15 s scrape gives a 1-minute step; read as a backfill (the step being
            // filled counts as closed), then live, then as a backfill again.
            for (int s = 0; s < 4; s++)
                series.Append(step * 1000 + s * 250, Math.Sin(step * 0.1) * 10 + s, step * 1000);
            series.EndBatch();
            long closed = series.LastClosedStepAt(step is > 300 and < 700 ? step * 1000 + 1 : long.MaxValue / 2);
            if (closed > processed)
                sliding.MoveTo(series, processed = closed, scratch);
        }
        // Once a window (rounding never builds up for longer), and when a block of the 10-minute history is
        // dropped (the ring's version changes): a few dozen in 1,000 steps, where a refit reads it every step.
        Assert.InRange(sliding.WholeReads, Steps / WindowSteps, Steps / 20);
    }

    // Regimes of a few dozen to a few hundred steps: flat stretches long enough to fill a window, a random
    // walk, a byte counter's size (large and nearly flat), and now and then an infinity.
    private static double NextLevel(Random random, ref int regime, double level)
    {
        if (random.NextDouble() < 0.01)
            regime = random.Next(0, 3);
        if (random.NextDouble() < 0.002)
            return random.NextDouble() < 0.5 ? double.PositiveInfinity : double.NegativeInfinity;
        double finite = double.IsFinite(level) ? level : 50;
        return regime switch
        {
            0 => finite,
            1 => 1e12 + random.Next(0, 4) * 1024,
            _ => (Math.Abs(finite) < 1e6 ? finite : 50) + random.NextDouble() * 10 - 5,
        };
    }
}
