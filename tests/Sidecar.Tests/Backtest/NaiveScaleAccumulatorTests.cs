using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class NaiveScaleAccumulatorTests
{
    // Season 3 over 1, 2, 4, 2, 2, 7, NaN, 3: pairs a season apart |2−1|, |2−2|, |7−4|, (gap), |3−2| give
    // 5/4; one step apart |2−1|, |4−2|, |2−4|, |2−2|, |7−2| give 10/5.
    [Fact]
    public void IsTheSeasonalNaiveInSampleMaeByHand()
    {
        var scale = new NaiveScaleAccumulator(3);
        scale.Observe([1, 2, 4, 2, 2, 7, float.NaN, 3]);
        Assert.True(scale.IsSeasonal);
        Assert.Equal(1.25, scale.Scale, 1e-12);
    }

    [Fact]
    public void FallsBackToTheOneStepNaiveWithoutAFullSeason()
    {
        var scale = new NaiveScaleAccumulator(288);
        scale.Observe([1, 3, 2]);
        Assert.False(scale.IsSeasonal);
        Assert.Equal(1.5, scale.Scale, 1e-12);
    }

    [Fact]
    public void StepByStepEqualsAllAtOnce()
    {
        float[] values = Enumerable.Range(0, 50).Select(i => (float)Math.Sin(i * 0.7) * 10).ToArray();
        var streamed = new NaiveScaleAccumulator(7);
        foreach (float value in values)
            streamed.Observe(value);
        var batched = new NaiveScaleAccumulator(7);
        batched.Observe(values);
        Assert.Equal(batched.Scale, streamed.Scale);
        double expected = Enumerable.Range(7, 43).Average(t => Math.Abs((double)values[t] - values[t - 7]));
        Assert.Equal(expected, streamed.Scale, 1e-9);
    }

    [Fact]
    public void IsUndefinedBeforeTwoObservedSteps()
    {
        var scale = new NaiveScaleAccumulator(3);
        scale.Observe(1);
        Assert.True(double.IsNaN(scale.Scale));
    }
}
