namespace Sidecar.Model.Baselines;

/// <summary>
/// "Same time yesterday": the forecast for step t+h is the value observed at t+h−m, m being the steps in a
/// season (a day), or at t+h−k·m for the smallest k that lands inside the history when h exceeds a season.
/// A gap there takes the value one more season back. Daily seasonality dominates most infrastructure
/// metrics, so any model that cannot beat this one is not worth its CPU.
/// </summary>
internal sealed class SeasonalNaiveForecaster : IBaselineForecaster
{
    public const string ModelName = "seasonal_naive";

    private readonly int _seasonSteps;

    /// <param name="seasonSteps">Steps per season, e.g. 288 for a day of 5-minute steps.</param>
    public SeasonalNaiveForecaster(int seasonSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonSteps, 1);
        _seasonSteps = seasonSteps;
    }

    public string Name => ModelName;

    /// <remarks>
    /// A history shorter than a season has no "same time yesterday": every horizon then gets the last
    /// observed value (the plain naive forecast). With a full season, a horizon whose phase is a gap in
    /// every season of the history is refused rather than guessed.
    /// </remarks>
    public bool TryForecast(ReadOnlySpan<float> history, ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        ForecastArguments.Check(horizonSteps, forecasts);
        if (history.Length < _seasonSteps)
            return FillWithLastValue(history, forecasts);
        int last = history.Length - 1;
        for (int i = 0; i < horizonSteps.Length; i++)
        {
            int horizon = horizonSteps[i];
            // The fewest whole seasons back that do not reach past the last step; at least one, so that
            // horizon 0 is the value a season ago rather than the observation itself.
            long seasonsBack = Math.Max(1, ((long)horizon + _seasonSteps - 1) / _seasonSteps);
            long index = (long)last + horizon - seasonsBack * _seasonSteps;
            while (index >= 0 && float.IsNaN(history[(int)index]))
                index -= _seasonSteps;
            if (index < 0)
                return ForecastArguments.Refuse(forecasts);
            forecasts[i] = history[(int)index];
        }
        return true;
    }

    private static bool FillWithLastValue(ReadOnlySpan<float> history, Span<float> forecasts)
    {
        for (int i = history.Length - 1; i >= 0; i--)
        {
            if (!float.IsNaN(history[i]))
            {
                forecasts.Fill(history[i]);
                return true;
            }
        }
        return ForecastArguments.Refuse(forecasts);
    }
}
