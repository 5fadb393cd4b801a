namespace Sidecar.Score;

/// <summary>
/// When a forecast path first crosses a threshold: the path runs from the current value (at 0 s)
/// through the forecast at each horizon, straight between them. Capacity planning ("disk full in 4 h")
/// reads it as a gauge; no crossing within the longest horizon is no value at all, never a magic number.
/// </summary>
internal static class ThresholdCrossing
{
    /// <param name="horizonSeconds">Increasing.</param>
    /// <param name="path">The forecast at each horizon, same order.</param>
    /// <param name="above">True: crossing means reaching the threshold from below; false: from above.</param>
    /// <returns>Seconds until the crossing, 0 when the current value is already past it, NaN when the path doesn't cross.</returns>
    public static double SecondsUntil(double current, ReadOnlySpan<double> horizonSeconds, ReadOnlySpan<float> path, double threshold, bool above)
    {
        double sign = above ? 1 : -1;
        double previousValue = current, previousSeconds = 0;
        if (sign * (current - threshold) >= 0)
            return 0;
        for (int h = 0; h < path.Length; h++)
        {
            double value = path[h];
            if (double.IsNaN(value))
                return double.NaN;
            if (sign * (value - threshold) >= 0)
            {
                double fraction = (threshold - previousValue) / (value - previousValue);
                return previousSeconds + fraction * (horizonSeconds[h] - previousSeconds);
            }
            previousValue = value;
            previousSeconds = horizonSeconds[h];
        }
        return double.NaN;
    }
}
