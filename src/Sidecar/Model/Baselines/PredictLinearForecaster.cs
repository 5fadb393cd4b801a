namespace Sidecar.Model.Baselines;

/// <summary>
/// PromQL's <c>predict_linear(v[range], t)</c> as Prometheus 2.42 computes it (promql/functions.go,
/// funcPredictLinear and linearRegression): an ordinary least-squares line through the samples of the
/// range, with its intercept at the evaluation time, extended by the horizon. Users already alert on
/// this, so it is the baseline that tells whether a learned model is worth switching to.
/// </summary>
/// <remarks>
/// The evaluation time is the last step of the history. The range covers the last step and the
/// <c>rangeSteps</c> steps before it, both ends included, as Prometheus 2.x selects <c>[t−range, t]</c>
/// (Prometheus 3 leaves the oldest end out). Gaps are simply absent samples; at least two samples are
/// needed. Time is measured in steps instead of seconds: the line is the same, and each term of the
/// sums is then exact in double (a float times a small integer), which is why Prometheus' compensated
/// summation is not needed here.
/// </remarks>
internal sealed class PredictLinearForecaster : IBaselineForecaster
{
    public const string ModelName = "predict_linear";

    private readonly int _rangeSteps;

    /// <param name="rangeSteps">The range selector's length in steps, e.g. 12 for <c>[1h]</c> at 5-minute steps.</param>
    public PredictLinearForecaster(int rangeSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rangeSteps, 1);
        _rangeSteps = rangeSteps;
    }

    public string Name => ModelName;

    public bool TryForecast(ReadOnlySpan<float> history, ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        ForecastArguments.Check(horizonSteps, forecasts);
        if (!TryFit(history, out double slopePerStep, out double valueAtLastStep))
            return ForecastArguments.Refuse(forecasts);
        for (int i = 0; i < horizonSteps.Length; i++)
            forecasts[i] = (float)(valueAtLastStep + slopePerStep * horizonSteps[i]);
        return true;
    }

    private bool TryFit(ReadOnlySpan<float> history, out double slopePerStep, out double valueAtLastStep)
    {
        slopePerStep = valueAtLastStep = double.NaN;
        int last = history.Length - 1;
        int first = Math.Max(0, last - _rangeSteps);
        double n = 0, sumX = 0, sumY = 0, sumXY = 0, sumX2 = 0;
        float firstValue = float.NaN;
        bool constant = true;
        for (int i = first; i <= last; i++)
        {
            float y = history[i];
            if (float.IsNaN(y))
                continue;
            if (n == 0)
                firstValue = y;
            else if (y != firstValue)
                constant = false;
            double x = i - last;
            n++;
            sumX += x;
            sumY += y;
            sumXY += x * y;
            sumX2 += x * x;
        }
        if (n < 2)
            return false;
        if (constant)
        {
            // As Prometheus does: a flat range is exactly flat, without the rounding noise of the
            // general formula; a flat infinite range has no defined line.
            if (float.IsInfinity(firstValue))
                return false;
            slopePerStep = 0;
            valueAtLastStep = firstValue;
            return true;
        }
        double covarianceXY = sumXY - sumX * sumY / n;
        double varianceX = sumX2 - sumX * sumX / n;
        slopePerStep = covarianceXY / varianceX;
        valueAtLastStep = sumY / n - slopePerStep * sumX / n;
        return true;
    }
}
