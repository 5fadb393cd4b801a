namespace Sidecar.Model;

/// <summary>
/// Per-series scaling by median and interquartile range, fitted on the training part only. Unlike the
/// seed tutorial's min-max scaler, one spike in the training window doesn't squash the rest of the
/// series into a sliver of the range. A flat series gets a small non-zero spread, so scaling never
/// divides by zero.
/// </summary>
internal readonly record struct RobustScaler(float Center, float Spread)
{
    public static RobustScaler Fit(ReadOnlySpan<float> values)
    {
        int count = 0;
        foreach (float v in values)
        {
            if (!float.IsNaN(v))
                count++;
        }
        if (count == 0)
            return new RobustScaler(0, 1);
        var sorted = new float[count];
        int i = 0;
        foreach (float v in values)
        {
            if (!float.IsNaN(v))
                sorted[i++] = v;
        }
        Array.Sort(sorted);
        float median = Quantile(sorted, 0.5);
        float iqr = Quantile(sorted, 0.75) - Quantile(sorted, 0.25);
        float range = sorted[^1] - sorted[0];
        // A series that is mostly constant has IQR 0; fall back to its full range, then to its magnitude.
        float spread = iqr > 0 ? iqr : range > 0 ? range : Math.Max(Math.Abs(median) * 1e-3f, 1e-6f);
        return new RobustScaler(median, spread);
    }

    public float Scale(float value) => (value - Center) / Spread;

    public float Unscale(float scaled) => scaled * Spread + Center;

    private static float Quantile(float[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int lower = (int)position;
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        return (float)(sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]));
    }
}
