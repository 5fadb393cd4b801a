namespace Sidecar.Model.Baselines;

/// <summary>The argument checks every <see cref="IBaselineForecaster"/> makes, so they all reject the same misuse.</summary>
internal static class ForecastArguments
{
    public static void Check(ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        if (horizonSteps.Length != forecasts.Length)
            throw new ArgumentException($"baseline: {horizonSteps.Length} horizons but room for {forecasts.Length} forecasts", nameof(forecasts));
        foreach (int horizon in horizonSteps)
            ArgumentOutOfRangeException.ThrowIfNegative(horizon, nameof(horizonSteps));
    }

    /// <summary>Marks every forecast missing and returns false, for a history the baseline cannot use.</summary>
    public static bool Refuse(Span<float> forecasts)
    {
        forecasts.Fill(float.NaN);
        return false;
    }
}
