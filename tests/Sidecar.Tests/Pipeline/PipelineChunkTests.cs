using Sidecar.Pipeline;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// A step splits its series into forward calls of at most <see cref="TargetPipeline.SeriesStepsPerForward"/>
/// series-steps, so that restarting every series from its window after a new model can't take gigabytes in
/// one call, and of at most <see cref="TargetPipeline.SeriesPerForward"/> series, so that a large target's
/// steady step keeps the forward's working set in cache. The chunks must be invisible in the results: each
/// series' forecasts, scores and carried state are those of one call over all of them.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class PipelineChunkTests
{
    private const int SeriesCount = 50;

    [Fact]
    public void ChunkedStepsGiveEverySeriesTheForecastsOfOneCall()
    {
        using var whole = new SteppedTarget(SeriesCount);
        using var chunked = new SteppedTarget(SeriesCount, configure: pipeline => pipeline.SeriesStepsPerForward = 7);

        StepBothAndCompare(whole, chunked);

        // Everything fits one call by default; at 7 series-steps the first step (every series from its
        // 60-step window) runs one series per call, the steady steps 7 series per call.
        Assert.Equal(Steps, whole.Pipeline.ForwardCalls);
        Assert.Equal(SeriesCount + (Steps - 1) * (int)Math.Ceiling(SeriesCount / 7.0), chunked.Pipeline.ForwardCalls);
    }

    [Fact]
    public void StepsCappedBySeriesGiveEverySeriesTheForecastsOfOneCall()
    {
        using var whole = new SteppedTarget(SeriesCount);
        using var capped = new SteppedTarget(SeriesCount, configure: pipeline => pipeline.SeriesPerForward = 8);

        StepBothAndCompare(whole, capped);

        // The cap binds at every step, the first (60 steps a series, far under the series-steps' limit) included.
        Assert.Equal(Steps * (int)Math.Ceiling(SeriesCount / 8.0), capped.Pipeline.ForwardCalls);
    }

    [Fact]
    public void ALargeTargetsSteadyStepRunsAtMostTwoThousandFortyEightSeriesACall()
    {
        // Past a few thousand series a call the forward's working set leaves the cache (TargetPipeline.SeriesPerForward):
        // by default a steady step of 2,049 series makes two calls, where the series-steps' limit alone would make one.
        using var target = new SteppedTarget(2_049);
        target.Step();
        long warmUp = target.Pipeline.ForwardCalls;
        target.Step();
        Assert.Equal(2, target.Pipeline.ForwardCalls - warmUp);
    }

    [Fact]
    public void ACapOfNoSeriesIsRefused()
    {
        using var target = new SteppedTarget(1);
        Assert.Throws<ArgumentOutOfRangeException>(() => target.Pipeline.SeriesPerForward = 0);
    }

    private const int Steps = 6;

    private static void StepBothAndCompare(SteppedTarget whole, SteppedTarget chunked)
    {
        for (int step = 0; step < Steps; step++)
        {
            whole.Step();
            chunked.Step();
            foreach (var (expected, actual) in whole.Forecasts().Zip(chunked.Forecasts()))
            {
                Assert.Equal(expected.Step, actual.Step);
                Assert.NotNull(expected.Horizons);
                Assert.NotNull(actual.Horizons);
                for (int i = 0; i < expected.Horizons.Length; i++)
                    Assert.Equal(expected.Horizons[i], actual.Horizons[i], 1e-4f * Math.Max(1f, Math.Abs(expected.Horizons[i])));
                Assert.Equal(expected.NextStep, actual.NextStep, 1e-4f * Math.Max(1f, Math.Abs(expected.NextStep)));
                Assert.Equal(expected.AnomalyScore, actual.AnomalyScore, 1e-4);
            }
        }
    }
}
