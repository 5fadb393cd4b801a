namespace Sidecar.Model;

/// <summary>
/// What a series' inputs are drawn relative to, carried from step to step in scaled units: the last
/// observed value (the anchor the heads forecast from) and, with <c>features.smoothed_levels</c>, two
/// exponentially smoothed levels of the observed values. The smoothed levels give the network the
/// level that exponential smoothing would forecast from, so a noisy series' one-step forecast need not
/// rebuild it in the LSTM's state from few training steps (the idea behind Smyl's ES-RNN).
/// </summary>
internal struct InputLevels
{
    /// <summary>Weights of the newest value in the fast and the slow level: memories of about 4 and 16 steps.</summary>
    public const float FastWeight = 0.25f, SlowWeight = 1f / 16;

    /// <summary>
    /// Steps before a stretch (a training lane, or the window a series warms up on in serving) that the
    /// levels are run over first, so the slow level starts settled (0.9375^64 ≈ 1.6 % of its starting
    /// error left) and not at the stretch's first value. Training and serving both do it, so the network
    /// sees the same levels in both.
    /// </summary>
    public const int WarmupSteps = 64;

    public float Anchor;
    public float Fast;
    public float Slow;

    public static InputLevels Unknown => new() { Anchor = float.NaN, Fast = float.NaN, Slow = float.NaN };

    public static InputLevels At(float anchor) => new() { Anchor = anchor, Fast = anchor, Slow = anchor };

    public readonly bool IsUnknown => float.IsNaN(Anchor);

    /// <summary>The levels after the observed values of <paramref name="values"/> (NaN for gaps), oldest first; unknown if none is.</summary>
    public static InputLevels Over(ReadOnlySpan<float> values, RobustScaler scaler)
    {
        var levels = Unknown;
        foreach (float v in values)
        {
            if (!float.IsNaN(v))
                levels.Observe(scaler.Scale(v));
        }
        return levels;
    }

    /// <summary>Moves every level to an observed scaled value.</summary>
    public void Observe(float scaled)
    {
        if (float.IsNaN(Fast))
        {
            Fast = Slow = scaled;
        }
        else
        {
            Fast += FastWeight * (scaled - Fast);
            Slow += SlowWeight * (scaled - Slow);
        }
        Anchor = scaled;
    }
}
