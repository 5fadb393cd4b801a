using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class PointErrorAccumulatorTests
{
    // Scored: (10, 8), (0, 0), (−2, 2). Absolute errors 2, 0, 4: MAE 2. sMAPE terms 2·2/18 = 2/9, 0 (both
    // zero), 2·4/4 = 2: mean 20/27. A missing actual is no outcome; a missing forecast is counted apart.
    [Fact]
    public void ComputesMaeSmapeAndMaseByHand()
    {
        var errors = new PointErrorAccumulator();
        errors.Add(10, 8);
        errors.Add(0, 0);
        errors.Add(-2, 2);
        errors.Add(float.NaN, 5);
        errors.Add(4, float.NaN);
        Assert.Equal(3, errors.Count);
        Assert.Equal(1, errors.MissingForecasts);
        Assert.Equal(2.0, errors.MeanAbsoluteError, 1e-12);
        Assert.Equal(20.0 / 27, errors.SymmetricMeanAbsolutePercentageError, 1e-12);
        Assert.Equal(0.5, errors.MeanAbsoluteScaledError(4), 1e-12);
    }

    [Fact]
    public void IsUndefinedWithoutOutcomesOrWithoutAScale()
    {
        var errors = new PointErrorAccumulator();
        Assert.True(double.IsNaN(errors.MeanAbsoluteError));
        Assert.True(double.IsNaN(errors.SymmetricMeanAbsolutePercentageError));
        errors.Add(1, 2);
        Assert.True(double.IsNaN(errors.MeanAbsoluteScaledError(0)));
        Assert.True(double.IsNaN(errors.MeanAbsoluteScaledError(double.NaN)));
    }
}
