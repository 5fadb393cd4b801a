namespace Sidecar.Model.Baselines;

/// <summary>
/// PromQL's <c>holt_winters(v[range], sf, tf)</c>, renamed <c>double_exponential_smoothing</c> in
/// Prometheus 3: Holt's linear smoothing without a season, with exactly the recurrence of Prometheus
/// 2.42 (promql/functions.go, funcHoltWinters and calcTrendValue). The level starts at the first sample
/// and the trend at the difference of the first two; each later sample first updates the trend from the
/// previous level change (except at the second sample, which keeps the initial trend), then the level.
/// </summary>
/// <remarks>
/// Prometheus returns only the final level, which is this forecaster's horizon 0. Extending it to
/// level + h·trend is ours: the trend used there is the one Prometheus would apply at the next sample,
/// i.e. one more trend update with the last level change. As in Prometheus, samples are smoothed in
/// order without regard to their spacing, so a gap just shortens the sequence; two samples are needed.
/// </remarks>
internal sealed class DoubleExponentialSmoothingForecaster : PromQlRangeForecaster
{
    public const string ModelName = "double_exponential_smoothing";

    private readonly double _smoothingFactor;
    private readonly double _trendFactor;

    /// <param name="rangeSteps">The range selector's length in steps.</param>
    /// <param name="smoothingFactor">PromQL's <c>sf</c>, strictly between 0 and 1 as Prometheus requires.</param>
    /// <param name="trendFactor">PromQL's <c>tf</c>, strictly between 0 and 1 as Prometheus requires.</param>
    public DoubleExponentialSmoothingForecaster(int rangeSteps, double smoothingFactor, double trendFactor)
        : base(rangeSteps)
    {
        if (!(smoothingFactor > 0 && smoothingFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(smoothingFactor), smoothingFactor, "double_exponential_smoothing: the smoothing factor must be strictly between 0 and 1");
        if (!(trendFactor > 0 && trendFactor < 1))
            throw new ArgumentOutOfRangeException(nameof(trendFactor), trendFactor, "double_exponential_smoothing: the trend factor must be strictly between 0 and 1");
        _smoothingFactor = smoothingFactor;
        _trendFactor = trendFactor;
    }

    public override string Name => ModelName;

    protected override bool TryFitLine(ReadOnlySpan<float> range, out double valueAtLastStep, out double slopePerStep)
    {
        double level = double.NaN, trend = double.NaN, previousLevel = 0;
        int samples = 0;
        foreach (float sample in range)
        {
            double value = sample;
            if (double.IsNaN(value))
                continue;
            samples++;
            if (samples == 1)
            {
                level = value;
                continue;
            }
            if (samples == 2)
                trend = value - level;
            else
                trend = _trendFactor * (level - previousLevel) + (1 - _trendFactor) * trend;
            previousLevel = level;
            level = _smoothingFactor * value + (1 - _smoothingFactor) * (level + trend);
        }
        valueAtLastStep = level;
        slopePerStep = _trendFactor * (level - previousLevel) + (1 - _trendFactor) * trend;
        return samples >= 2;
    }
}
