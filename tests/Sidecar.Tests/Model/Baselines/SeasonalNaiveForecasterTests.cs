using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class SeasonalNaiveForecasterTests
{
    private static float[] Forecast(int seasonSteps, float[] history, params int[] horizons)
    {
        var forecasts = new float[horizons.Length];
        Assert.True(new SeasonalNaiveForecaster(seasonSteps).TryForecast(history, horizons, forecasts));
        return forecasts;
    }

    [Fact]
    public void TakesTheValueOneSeasonBackAndMoreSeasonsBackBeyondASeason()
    {
        // Season 3, last index 5: h=1 → index 3, h=3 → index 5, h=4 → index 3 (two seasons back), h=0 → index 2.
        float[] history = [1, 2, 3, 4, 5, 6];
        Assert.Equal([4f, 5, 6, 4, 3], Forecast(3, history, 1, 2, 3, 4, 0));
    }

    [Fact]
    public void IsExactOnAPurelyPeriodicSeries()
    {
        const int season = 24;
        float Periodic(int t) => MathF.Round(10 * MathF.Sin(2 * MathF.PI * t / season), 2);
        float[] history = Enumerable.Range(0, 3 * season).Select(Periodic).ToArray();
        int[] horizons = Enumerable.Range(0, 3 * season).ToArray();
        float[] expected = horizons.Select(h => Periodic(history.Length - 1 + h)).ToArray();
        Assert.Equal(expected, Forecast(season, history, horizons));
    }

    [Fact]
    public void AGapTakesTheNearestEarlierSeasonWithData()
    {
        float[] history = [1, 2, 3, float.NaN, 5, 6];
        Assert.Equal([1f, 5], Forecast(3, history, 1, 2));
    }

    [Fact]
    public void RefusesWhenEverySeasonHasAGapAtThatPhase()
    {
        float[] history = [float.NaN, 2, 3, float.NaN, 5, 6];
        var forecasts = new float[2];
        Assert.False(new SeasonalNaiveForecaster(3).TryForecast(history, [2, 1], forecasts));
        Assert.All(forecasts, f => Assert.True(float.IsNaN(f)));
    }

    [Fact]
    public void AHistoryShorterThanASeasonRepeatsTheLastObservedValue()
    {
        Assert.Equal([7f, 7, 7], Forecast(288, [5, 7, float.NaN], 1, 100, 1000));
        Assert.False(new SeasonalNaiveForecaster(288).TryForecast([float.NaN, float.NaN], [1], new float[1]));
    }
}
