namespace Sidecar.Model.Baselines;

/// <summary>
/// What the PromQL baselines share: like a PromQL function over <c>v[range]</c> evaluated at the last
/// step, they see only the samples of the range, and they end in a straight line (the value at the last
/// step plus a slope per step) that the horizon extends.
/// </summary>
/// <remarks>
/// The range holds the last step and the <c>rangeSteps</c> steps before it, both ends included, as
/// Prometheus 2.x selects <c>[t−range, t]</c> (Prometheus 3 leaves the oldest end out). Gaps in it are
/// absent samples.
/// </remarks>
internal abstract class PromQlRangeForecaster : IBaselineForecaster
{
    /// <param name="rangeSteps">The range selector's length in steps, e.g. 12 for <c>[1h]</c> at 5-minute steps.</param>
    protected PromQlRangeForecaster(int rangeSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rangeSteps, 1);
        RangeSteps = rangeSteps;
    }

    public int RangeSteps { get; }

    public abstract string Name { get; }

    public bool TryForecast(ReadOnlySpan<float> history, ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        ForecastArguments.Check(horizonSteps, forecasts);
        if (!TryFitLine(history[Math.Max(0, history.Length - 1 - RangeSteps)..], out double valueAtLastStep, out double slopePerStep))
            return ForecastArguments.Refuse(forecasts);
        for (int i = 0; i < horizonSteps.Length; i++)
            forecasts[i] = (float)(valueAtLastStep + slopePerStep * horizonSteps[i]);
        return true;
    }

    /// <param name="range">The steps of the range, oldest first; the last one is the evaluation time.</param>
    /// <returns>False when the range holds too few samples.</returns>
    protected abstract bool TryFitLine(ReadOnlySpan<float> range, out double valueAtLastStep, out double slopePerStep);
}
