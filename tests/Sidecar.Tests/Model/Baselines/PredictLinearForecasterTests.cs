using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class PredictLinearForecasterTests
{
    private static float[] Forecast(int rangeSteps, float[] history, params int[] horizons)
    {
        var forecasts = new float[horizons.Length];
        Assert.True(new PredictLinearForecaster(rangeSteps).TryForecast(history, horizons, forecasts));
        return forecasts;
    }

    [Fact]
    public void FitsLeastSquaresWithTheInterceptAtTheLastStep()
    {
        // x = −2, −1, 0 and y = 1, 3, 2: slope = cov/var = 1/2, value at x=0 = mean(y) − slope·mean(x) = 2.5.
        // The 100 lies outside a range of 2 steps ([t−2, t] holds three samples).
        Assert.Equal([2.5f, 3, 3.5f], Forecast(2, [100, 1, 3, 2], 0, 1, 2));
    }

    [Fact]
    public void IsExactOnALinearSeries()
    {
        float[] history = Enumerable.Range(0, 60).Select(i => 0.5f * i - 7).ToArray();
        Assert.Equal([22.5f, 23, 52.5f], Forecast(12, history, 0, 1, 60));
    }

    [Fact]
    public void GapsAreAbsentSamples()
    {
        // Only x = −2 (y 1) and x = 0 (y 3) remain: slope 1, value 3 at the last step.
        Assert.Equal([4f], Forecast(2, [1, float.NaN, 3], 1));
    }

    [Fact]
    public void AFlatRangeIsExactlyFlat()
    {
        Assert.Equal([0.1f, 0.1f], Forecast(5, [9, 0.1f, 0.1f, float.NaN, 0.1f, 0.1f, 0.1f], 0, 1000));
    }

    [Fact]
    public void NeedsTwoSamplesInTheRange()
    {
        var forecasts = new float[1];
        Assert.False(new PredictLinearForecaster(2).TryForecast([1, 2, float.NaN, float.NaN, 5], [1], forecasts));
        Assert.True(float.IsNaN(forecasts[0]));
    }
}
