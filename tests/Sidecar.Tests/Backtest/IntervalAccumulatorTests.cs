using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class IntervalAccumulatorTests
{
    // 5 in [4, 6] and 6 on the bound of [4, 6] are covered, 10 outside [0, 8] is not: coverage 2/3, widths
    // 2, 2 and 8: mean 4.
    [Fact]
    public void ComputesCoverageAndWidthByHand()
    {
        var intervals = new IntervalAccumulator();
        intervals.Add(5, 4, 6);
        intervals.Add(6, 4, 6);
        intervals.Add(10, 0, 8);
        intervals.Add(float.NaN, 0, 1);
        intervals.Add(3, float.NaN, 5);
        Assert.Equal(3, intervals.Count);
        Assert.Equal(1, intervals.MissingIntervals);
        Assert.Equal(2.0 / 3, intervals.Coverage, 1e-12);
        Assert.Equal(4.0, intervals.MeanWidth, 1e-12);
    }

    [Fact]
    public void RejectsAnInvertedInterval()
    {
        Assert.Throws<ArgumentException>(() => new IntervalAccumulator().Add(1, 2, 0));
    }
}
