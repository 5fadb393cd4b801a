namespace Sidecar.Backtest;

/// <summary>
/// Streaming calibration of one model's prediction intervals at one horizon: how often the outcome fell
/// inside, and how wide the intervals were. Coverage alone rewards huge intervals, so the width is
/// reported beside it.
/// </summary>
internal sealed class IntervalAccumulator
{
    private long _inside;
    private double _widthSum;

    /// <summary>Outcomes scored: the actual value and both bounds were present.</summary>
    public long Count { get; private set; }

    /// <summary>Outcomes the model gave no interval for.</summary>
    public long MissingIntervals { get; private set; }

    /// <summary>Scores one outcome; a missing actual value (NaN, a gap) is no outcome and is ignored.</summary>
    /// <exception cref="ArgumentException">The lower bound is above the upper one.</exception>
    public void Add(float actual, float lower, float upper)
    {
        if (float.IsNaN(actual))
            return;
        if (float.IsNaN(lower) || float.IsNaN(upper))
        {
            MissingIntervals++;
            return;
        }
        if (lower > upper)
            throw new ArgumentException($"backtest: interval lower bound {lower} is above its upper bound {upper}", nameof(lower));
        if (actual >= lower && actual <= upper)
            _inside++;
        _widthSum += (double)upper - lower;
        Count++;
    }

    /// <summary>The fraction of outcomes within [lower, upper], bounds included; NaN before the first.</summary>
    public double Coverage => Count == 0 ? double.NaN : (double)_inside / Count;

    /// <summary>Mean of upper − lower, in the series' unit; NaN before the first outcome.</summary>
    public double MeanWidth => Count == 0 ? double.NaN : _widthSum / Count;
}
