namespace Sidecar.Backtest;

/// <summary>
/// Streaming mean absolute error and sMAPE of one model's point forecasts at one horizon. Sums are kept
/// in double so that millions of float residuals add without visible rounding.
/// </summary>
internal sealed class PointErrorAccumulator
{
    private double _absoluteErrorSum;
    private double _symmetricErrorSum;

    /// <summary>Outcomes scored: both the actual value and the forecast were present.</summary>
    public long Count { get; private set; }

    /// <summary>
    /// Outcomes the model gave no forecast for. Kept apart so that a baseline which refuses hard cases
    /// cannot look better than one which answers them.
    /// </summary>
    public long MissingForecasts { get; private set; }

    /// <summary>Scores one outcome; a missing actual value (NaN, a gap) is no outcome and is ignored.</summary>
    public void Add(float actual, float forecast)
    {
        if (float.IsNaN(actual))
            return;
        if (float.IsNaN(forecast))
        {
            MissingForecasts++;
            return;
        }
        double absoluteError = Math.Abs((double)actual - forecast);
        double magnitudes = Math.Abs((double)actual) + Math.Abs((double)forecast);
        _absoluteErrorSum += absoluteError;
        // Both zero is a perfect forecast, not 0/0.
        _symmetricErrorSum += magnitudes == 0 ? 0 : 2 * absoluteError / magnitudes;
        Count++;
    }

    /// <summary>Mean of |y − ŷ|, in the series' unit; NaN before the first outcome.</summary>
    public double MeanAbsoluteError => Count == 0 ? double.NaN : _absoluteErrorSum / Count;

    /// <summary>
    /// Mean of 2|y − ŷ| / (|y| + |ŷ|), each term 0 when y and ŷ are both 0: a fraction between 0 and 2,
    /// not a percentage. NaN before the first outcome.
    /// </summary>
    public double SymmetricMeanAbsolutePercentageError => Count == 0 ? double.NaN : _symmetricErrorSum / Count;

    /// <summary>
    /// MASE: the mean absolute error in units of <paramref name="naiveScale"/> (see
    /// <see cref="NaiveScaleAccumulator"/>); below 1 beats the in-sample naive forecast. NaN when the
    /// scale is missing or zero (a flat training history), where the ratio means nothing.
    /// </summary>
    public double MeanAbsoluteScaledError(double naiveScale) =>
        naiveScale > 0 ? MeanAbsoluteError / naiveScale : double.NaN;
}
