using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class RelativeErrorTests
{
    [Fact]
    public void IsTheGeometricMeanOfTheRatiosSoAHalvingAndADoublingCancel()
    {
        Assert.Equal(1, RelativeError.GeometricMean([(1, 2), (4, 2)]), 12);
        // Units don't weigh: the same ratios in bytes and in percent give the same mean.
        Assert.Equal(0.5, RelativeError.GeometricMean([(5e9, 1e10), (0.5, 1)]), 12);
        Assert.Equal(Math.Sqrt(0.5 * 0.8), RelativeError.GeometricMean([(1, 2), (8, 10)]), 12);
    }

    [Fact]
    public void SkipsPairsWithoutARatio()
    {
        // A reference with no error (or none measured) and a model with no outcomes give no ratio.
        Assert.Equal(0.25, RelativeError.GeometricMean([(1, 4), (1, 0), (double.NaN, 3), (0, 5), (2, double.PositiveInfinity)]), 12);
        Assert.True(double.IsNaN(RelativeError.GeometricMean([])));
    }
}
