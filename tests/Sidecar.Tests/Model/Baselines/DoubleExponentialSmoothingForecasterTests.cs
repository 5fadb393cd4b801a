using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class DoubleExponentialSmoothingForecasterTests
{
    private static float[] Forecast(int rangeSteps, double sf, double tf, float[] history, params int[] horizons)
    {
        var forecasts = new float[horizons.Length];
        Assert.True(new DoubleExponentialSmoothingForecaster(rangeSteps, sf, tf).TryForecast(history, horizons, forecasts));
        return forecasts;
    }

    // By hand with sf = tf = 0.5 over 1, 3, 4, 8, following funcHoltWinters: level 1, trend 3−1 = 2;
    // sample 3: trend stays 2, level 0.5·3 + 0.5·(1+2) = 3; sample 4: trend 0.5·(3−1) + 0.5·2 = 2,
    // level 0.5·4 + 0.5·(3+2) = 4.5; sample 8: trend 0.5·(4.5−3) + 0.5·2 = 1.75, level 0.5·8 + 0.5·(4.5+1.75)
    // = 7.125. Our forecast trend is one more update: 0.5·(7.125−4.5) + 0.5·1.75 = 2.1875.
    [Fact]
    public void FollowsPrometheusRecurrenceByHand()
    {
        Assert.Equal([7.125f, 9.3125f, 11.5f], Forecast(3, 0.5, 0.5, [1, 3, 4, 8], 0, 1, 2));
    }

    [Fact]
    public void SmoothsOnlyTheSamplesOfTheRangeAndSkipsGaps()
    {
        // The 50 lies before the range of 5 steps; the gaps leave the samples 1, 3, 4, 8 of the case above.
        Assert.Equal([7.125f, 11.5f], Forecast(5, 0.5, 0.5, [50, 1, float.NaN, 3, 4, float.NaN, 8], 0, 2));
    }

    [Fact]
    public void IsExactOnALinearSeries()
    {
        float[] history = Enumerable.Range(0, 40).Select(i => 2f * i + 1).ToArray();
        float[] forecasts = Forecast(30, 0.3, 0.1, history, 0, 1, 60);
        Assert.Equal(79f, forecasts[0], 1e-4);
        Assert.Equal(81f, forecasts[1], 1e-4);
        Assert.Equal(199f, forecasts[2], 1e-4);
    }

    [Fact]
    public void NeedsTwoSamplesAndFactorsStrictlyBetweenZeroAndOne()
    {
        var forecasts = new float[1];
        Assert.False(new DoubleExponentialSmoothingForecaster(3, 0.5, 0.5).TryForecast([float.NaN, 4, float.NaN], [1], forecasts));
        Assert.True(float.IsNaN(forecasts[0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoubleExponentialSmoothingForecaster(3, 1, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoubleExponentialSmoothingForecaster(3, 0.5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DoubleExponentialSmoothingForecaster(3, double.NaN, 0.5));
    }
}
