using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class HoltWintersForecasterTests
{
    private const int Season = 24;

    private static float[] Forecast(HoltWintersForecaster forecaster, float[] history, int[] horizons)
    {
        var forecasts = new float[horizons.Length];
        Assert.True(forecaster.TryForecast(history, horizons, forecasts));
        return forecasts;
    }

    private static double TrendPlusSeason(int t) => 10 + 0.05 * t + 3 * Math.Sin(2 * Math.PI * t / Season);

    // Season 2, α = β = γ = 0.5, history 1, 3, 3, 5, 4. Initialisation: season means 2 and 4, so the trend is
    // (4−2)/2 = 1 per step; offsets from the trend line (2 − 0.5 and 2 + 0.5 in the first season, 4 ∓ 0.5 in
    // the second) are −0.5 and +0.5 in both; the level at t=1 is 2.5. t=2 and t=3 are predicted exactly
    // (3 and 5) and leave level 4.5, trend 1, offsets −0.5/+0.5. t=4 (y 4, predicted 5): level
    // 0.5·(4+0.5) + 0.5·5.5 = 5, trend 0.5·0.5 + 0.5·1 = 0.75, offset 0.5·(4−5) + 0.5·(−0.5) = −0.75.
    // So h=0 → 5 − 0.75, h=1 → 5 + 0.75 + 0.5, h=2 → 5 + 1.5 − 0.75.
    [Fact]
    public void FollowsTheAdditiveRecurrenceByHand()
    {
        var forecaster = new HoltWintersForecaster(2, new HoltWintersGrid([0.5], [0.5], [0.5]));
        Assert.Equal([4.25f, 6.25f, 5.75f], Forecast(forecaster, [1, 3, 3, 5, 4], [0, 1, 2]));
    }

    [Fact]
    public void ContinuesATrendPlusSeasonExactly()
    {
        float[] history = Enumerable.Range(0, 4 * Season).Select(t => (float)TrendPlusSeason(t)).ToArray();
        int[] horizons = Enumerable.Range(1, 2 * Season).ToArray();
        float[] forecasts = Forecast(new HoltWintersForecaster(Season), history, horizons);
        for (int i = 0; i < horizons.Length; i++)
            Assert.Equal(TrendPlusSeason(history.Length - 1 + horizons[i]), forecasts[i], 1e-3);
    }

    [Fact]
    public void BeatsSeasonalNaiveOnANoisyTrendPlusSeason()
    {
        var random = new Random(7);
        float[] series = Enumerable.Range(0, 6 * Season).Select(t => (float)(TrendPlusSeason(t) + 0.2 * (random.NextDouble() - 0.5))).ToArray();
        float[] history = series[..(5 * Season)];
        int[] horizons = Enumerable.Range(1, Season).ToArray();
        float[] holtWinters = Forecast(new HoltWintersForecaster(Season), history, horizons);
        var naive = new float[Season];
        Assert.True(new SeasonalNaiveForecaster(Season).TryForecast(history, horizons, naive));
        double holtWintersError = horizons.Average(h => Math.Abs(series[history.Length - 1 + h] - holtWinters[h - 1]));
        double naiveError = horizons.Average(h => Math.Abs(series[history.Length - 1 + h] - naive[h - 1]));
        // Seasonal naive lags a whole season of trend (0.05 × 24 = 1.2); Holt-Winters is left with about the noise.
        Assert.True(naiveError > 1, $"seasonal naive error {naiveError}");
        Assert.True(holtWintersError < 0.25, $"holt_winters error {holtWintersError}");
    }

    [Fact]
    public void GapsAdvanceTheStateInsteadOfCountingAsValues()
    {
        float[] history = Enumerable.Range(0, 4 * Season).Select(t => (float)TrendPlusSeason(t)).ToArray();
        // Gaps in both initial seasons shift their means a little, which the updates then absorb.
        foreach (int gap in new[] { 5, 30, 50, 51, 52, 70, 4 * Season - 2 })
            history[gap] = float.NaN;
        int[] horizons = Enumerable.Range(1, Season).ToArray();
        float[] forecasts = Forecast(new HoltWintersForecaster(Season), history, horizons);
        for (int i = 0; i < horizons.Length; i++)
            Assert.Equal(TrendPlusSeason(history.Length - 1 + horizons[i]), forecasts[i], 0.05);
    }

    [Fact]
    public void TheGridSearchPicksTheWeightThatFollowsALevelShift()
    {
        // A flat season pattern whose level jumps by 100 for the last season and a half: only a large α
        // reaches the new level, and it has the smaller one-step error, so the search must choose it.
        float[] history = Enumerable.Range(0, 5 * Season).Select(t => (float)((t >= 7 * Season / 2 ? 100 : 0) + t % 3)).ToArray();
        var forecaster = new HoltWintersForecaster(Season, new HoltWintersGrid([0.05, 0.9], [0], [0.05]));
        float[] forecasts = Forecast(forecaster, history, [1]);
        Assert.InRange(forecasts[0], 95, 105);
    }

    [Fact]
    public void NeedsTwoSeasonsWithData()
    {
        var forecaster = new HoltWintersForecaster(Season);
        Assert.False(forecaster.TryForecast(new float[2 * Season - 1], [1], new float[1]));
        float[] emptySecondSeason = Enumerable.Range(0, 3 * Season).Select(t => t is >= Season and < 2 * Season ? float.NaN : 1f).ToArray();
        Assert.False(forecaster.TryForecast(emptySecondSeason, [1], new float[1]));
    }
}
