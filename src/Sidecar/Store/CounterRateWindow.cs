namespace Sidecar.Store;

/// <summary>
/// Turns a counter's raw samples into one per-second rate per step, as PromQL <c>rate(x[step])</c>
/// evaluated at each step's end: the window of step k is (k·step, (k+1)·step], left-open as in
/// Prometheus 3; increases are summed across counter resets, then extrapolated towards the window's
/// edges (at most half a sample interval beyond the samples, and never below zero at the start).
/// A window needs two samples; one with fewer gives no rate, which becomes a gap.
/// </summary>
internal struct CounterRateWindow
{
    private long _window;
    private bool _open;
    private long _firstTimestamp, _lastTimestamp;
    private double _firstValue, _lastValue, _resets;
    private int _count;

    /// <summary>Adds a sample. When it opens a later window, the finished one's rate comes out.</summary>
    /// <returns>True when a window finished; <paramref name="rate"/> is NaN if it had fewer than two samples.</returns>
    public bool Add(long timestampMs, double value, long stepMs, out long finishedWindow, out double rate)
    {
        finishedWindow = 0;
        rate = double.NaN;
        long window = Math.DivRem(timestampMs - 1, stepMs, out long remainder);
        if (remainder < 0)
            window--;
        if (_open && window < _window)
            return false; // late for a finished window
        if (_open && window == _window)
        {
            if (timestampMs <= _lastTimestamp)
                return false; // a retry or out of order
            if (value < _lastValue)
                _resets += _lastValue;
            _lastTimestamp = timestampMs;
            _lastValue = value;
            _count++;
            return false;
        }
        bool finished = _open;
        if (finished)
        {
            finishedWindow = _window;
            rate = Rate(stepMs);
        }
        _open = true;
        _window = window;
        _firstTimestamp = _lastTimestamp = timestampMs;
        _firstValue = _lastValue = value;
        _resets = 0;
        _count = 1;
        return finished;
    }

    private readonly double Rate(long stepMs)
    {
        if (_count < 2)
            return double.NaN;
        double rangeSeconds = stepMs / 1000.0;
        double windowStart = _window * stepMs / 1000.0, windowEnd = (_window + 1) * stepMs / 1000.0;
        double first = _firstTimestamp / 1000.0, last = _lastTimestamp / 1000.0;
        double increase = _lastValue - _firstValue + _resets;
        double sampled = last - first;
        double average = sampled / (_count - 1);
        double toStart = first - windowStart, toEnd = windowEnd - last;
        // A counter can't have been below zero: don't extrapolate the start past where it would be 0.
        if (increase > 0 && _firstValue >= 0)
            toStart = Math.Min(toStart, sampled * (_firstValue / increase));
        double threshold = average * 1.1;
        double extrapolated = sampled + (toStart < threshold ? toStart : average / 2) + (toEnd < threshold ? toEnd : average / 2);
        return increase * (extrapolated / sampled) / rangeSeconds;
    }
}
