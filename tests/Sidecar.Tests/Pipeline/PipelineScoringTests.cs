using Sidecar.Pipeline;
using Sidecar.Score;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

[Collection(nameof(TorchRandomCollection))]
public sealed class PipelineScoringTests
{
    [Theory]
    [InlineData(7, 4096, "0")] // one pass: a last group of three series
    [InlineData(9, 2, "0")] // passes of two series: every group short of four
    [InlineData(7, 4096, "0.18")]
    public void EachSeriesIsScoredAsItsOwnScorerAloneWouldScoreIt(int count, int seriesPerPass, string minRelativeDeviation)
    {
        // The step scores its series four at once (ScoreLanes); each series' score, surprise and scorer
        // must be what its own scorer, fed its own residual, gives alone: no series takes another's lane.
        // A short surprise window, so that surprises are rated within the test's steps. Without a floor under
        // the scale each series' own interval is what its residuals are measured by; with one, as often its
        // value. Noisy series, so that residuals fall on both sides of the forecasts.
        using var target = new SteppedTarget(count, configure: pipeline => pipeline.SeriesPerPass = seriesPerPass,
            anomaly: $"surprise_window: 8m\nmin_relative_deviation: {minRelativeDeviation}",
            value: (s, t) => 50 + 10 * Math.Sin(t / 7.0 + s) + s + 12 * Noise(s, t));
        var settings = target.Pipeline.Settings.Anomaly;
        var rates = AnomalyRates.Of(settings);
        Assert.Equal(8, settings.SurpriseSteps);
        Series[] series = target.Series();
        int checkedScores = 0, above = 0, floored = 0;
        var distinct = new HashSet<double>();
        var distinctSurprises = new HashSet<double>();
        for (int step = 0; step < 40; step++)
        {
            var before = series.Select(s => target.Pipeline.StateForTests(s) is { } state
                ? (state.Scorer, state.Surprise, state.PendingLowerGap, state.PendingUpperGap)
                : default).ToArray();
            target.Step();
            for (int i = 0; i < series.Length; i++)
            {
                SeriesState state = target.Pipeline.StateForTests(series[i])!;
                // From the third step on every series has a forecast from the model for the step: each is scored, once.
                if (step >= 2)
                    Assert.Equal(before[i].Scorer.Count + 1, state.Scorer.Count);
                else if (state.Scorer.Count == before[i].Scorer.Count)
                    continue;
                var (scorer, surprise, lowerGap, upperGap) = before[i];
                float actual = series[i].CopyHistoryAt(state.ProcessedStep);
                double score = scorer.Score(state.LastResidual, actual, lowerGap, upperGap, settings, rates);
                double expectedSurprise = surprise.Observe(score, settings.SurpriseSteps, rates.SurpriseAlpha);
                Assert.Equal(BitConverter.DoubleToInt64Bits(score), BitConverter.DoubleToInt64Bits(state.LastScore));
                Assert.Equal(BitConverter.DoubleToInt64Bits(expectedSurprise), BitConverter.DoubleToInt64Bits(state.LastSurprise));
                Assert.Equal(scorer.Sigma, state.Scorer.Sigma);
                Assert.Equal(scorer.Count, state.Scorer.Count);
                checkedScores++;
                above += state.LastResidual >= 0 ? 1 : 0;
                floored += (state.LastResidual >= 0 ? upperGap : lowerGap) < settings.MinRelativeDeviation * Math.Abs(actual) ? 1 : 0;
                distinct.Add(state.LastScore);
                distinctSurprises.Add(state.LastSurprise);
            }
        }
        // Most series-steps were scored, and the series' scores and surprises differ: a score handed to the wrong series would show.
        Assert.True(checkedScores > count * 30, $"{checkedScores} scores checked");
        Assert.True(distinct.Count > checkedScores / 2, $"{distinct.Count} distinct scores of {checkedScores}");
        Assert.True(distinctSurprises.Count > checkedScores / 4, $"{distinctSurprises.Count} distinct surprises of {checkedScores}");
        // Both sides' intervals were used, and with a floor both the floor and the interval.
        Assert.InRange(above, checkedScores / 5, checkedScores * 4 / 5);
        if (settings.MinRelativeDeviation > 0)
            Assert.InRange(floored, checkedScores / 10, checkedScores * 9 / 10);
    }

    [Theory]
    [InlineData(7, 4096)]
    [InlineData(9, 2)] // passes of two series
    public void EachSeriesIntervalMovesAsItsOwnIntervalAloneWouldMoveIt(int count, int seriesPerPass)
    {
        // The step judges each series' outcome against the bands its interval row keeps: each series'
        // stretches must be what its own interval, told its own outcome, gives alone, whatever the passes.
        // Noisy series, so that outcomes fall inside and outside the untrained network's bands and stretches move.
        using var target = new SteppedTarget(count, configure: pipeline => pipeline.SeriesPerPass = seriesPerPass,
            value: (s, t) => 50 + 10 * Math.Sin(t / 7.0 + s) + s + 12 * Noise(s, t));
        AdaptiveIntervals intervals = target.Pipeline.IntervalsForTests;
        int horizons = intervals.Schedule.Horizons;
        Series[] series = target.Series();
        int judged = 0;
        for (int step = 0; step < 60; step++)
        {
            var alone = series.Select(s => intervals.Has(s.Id) ? AdaptiveInterval.CopyOf(intervals, s.Id) : null).ToArray();
            target.Step();
            for (int i = 0; i < series.Length; i++)
            {
                if (alone[i] is not { } interval)
                    continue;
                SeriesState state = target.Pipeline.StateForTests(series[i])!;
                interval.Observe(state.ProcessedStep, series[i].CopyHistoryAt(state.ProcessedStep));
                for (int h = 0; h < horizons; h++)
                    Assert.Equal(BitConverter.SingleToInt32Bits(interval.Stretch(h)), BitConverter.SingleToInt32Bits(intervals.Stretch(series[i].Id, h)));
                judged++;
            }
        }
        // Every series had an interval from its first forecast on, and every horizon's stretch moved.
        Assert.True(judged > count * 55, $"{judged} outcomes checked");
        for (int h = 0; h < horizons; h++)
            Assert.All(series, s => Assert.NotEqual(1f, intervals.Stretch(s.Id, h)));
    }

    // Noise in [-1, 1), the same for a series and step in every run.
    private static double Noise(int series, long step) => new Random(series * 100_003 + (int)step).NextDouble() * 2 - 1;
}
