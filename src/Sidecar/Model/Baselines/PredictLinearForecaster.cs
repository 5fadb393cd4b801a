namespace Sidecar.Model.Baselines;

/// <summary>
/// PromQL's <c>predict_linear(v[range], t)</c> as Prometheus 2.42 computes it (promql/functions.go,
/// funcPredictLinear and linearRegression): an ordinary least-squares line through the samples of the
/// range, with its intercept at the evaluation time, extended by the horizon. Users already alert on
/// this, so it is the baseline that tells whether a learned model is worth switching to.
/// </summary>
/// <remarks>
/// At least two samples are needed. Time is measured in steps instead of seconds: the line is the same,
/// and each term of the sums is then exact in double (a float times a small integer), which is why
/// Prometheus' compensated summation is not needed here.
/// </remarks>
internal sealed class PredictLinearForecaster(int rangeSteps) : PromQlRangeForecaster(rangeSteps)
{
    public const string ModelName = "predict_linear";

    public override string Name => ModelName;

    protected override bool TryFitLine(ReadOnlySpan<float> range, out double valueAtLastStep, out double slopePerStep)
    {
        slopePerStep = valueAtLastStep = double.NaN;
        int last = range.Length - 1;
        var sums = new LineSums();
        float firstValue = float.NaN;
        bool constant = true;
        for (int i = 0; i <= last; i++)
        {
            float y = range[i];
            if (float.IsNaN(y))
                continue;
            if (sums.Count == 0)
                firstValue = y;
            else if (y != firstValue)
                constant = false;
            sums.Add(i - last, y);
        }
        if (sums.Count < 2)
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
        sums.Solve(out valueAtLastStep, out slopePerStep);
        return true;
    }
}
