namespace Sidecar.Model.Baselines;

/// <summary>
/// A forecaster without training that the LSTM has to beat. It sees the same fixed-step history as the
/// LSTM (oldest first, NaN for a step without data, the last element is the current step) and answers
/// for horizons counted in steps after the last one. Implementations are stateless and thread-safe, and
/// do not allocate per call, so one instance serves every series.
/// </summary>
internal interface IBaselineForecaster
{
    /// <summary>Identifies the baseline as the value of the <c>model</c> label, e.g. <c>seasonal_naive</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Writes into <c>forecasts[i]</c> the forecast for <c>horizonSteps[i]</c> steps after the last step of
    /// <paramref name="history"/> (0 means the last step itself: the baseline's fitted value there).
    /// </summary>
    /// <returns>
    /// False, with every forecast NaN, when the history holds too little data for this baseline.
    /// </returns>
    /// <exception cref="ArgumentException">The spans differ in length, or a horizon is negative.</exception>
    bool TryForecast(ReadOnlySpan<float> history, ReadOnlySpan<int> horizonSteps, Span<float> forecasts);
}
