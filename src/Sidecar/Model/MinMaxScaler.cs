namespace Sidecar.Model;

/// <summary>
/// Per-series min-max scaling, as in the seed tutorial, fitted on training data only. A flat series gets
/// a small non-zero range so that scaling never divides by zero.
/// </summary>
internal readonly record struct MinMaxScaler(float Min, float Range)
{
    public static MinMaxScaler Fit(ReadOnlySpan<float> values)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsNaN(v))
                continue;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        if (float.IsInfinity(min))
            return new MinMaxScaler(0, 1);
        float floor = Math.Max(Math.Abs(max) * 1e-3f, 1e-6f);
        return new MinMaxScaler(min, Math.Max(max - min, floor));
    }

    public float Scale(float value) => (value - Min) / Range;

    public float Unscale(float scaled) => scaled * Range + Min;
}
