namespace Sidecar.Model;

/// <summary>
/// Two forecasters mixed per series and horizon with the weight, out of a grid of eleven (0, 0.1, …, 1),
/// whose mix had the least absolute error over the latest outcomes on this series. Where inverse-error
/// weights stay near one half when the members' errors are alike, this finds the mix that was best,
/// including when the two members' errors are correlated (Granger and Ramanathan's regression combination,
/// kept to the simplex and fitted on a window). Backtest's trailing-window twin of the serving path's
/// <see cref="Score.ForecastCombination"/>.
/// </summary>
internal sealed class ConvexPairCombination : IForecastCombination
{
    // Each mix of the grid is a member whose trailing errors the inner combination keeps.
    private readonly OnlineCombination _mixes;

    public ConvexPairCombination(int horizons, int window, int minimumOutcomes) =>
        _mixes = new OnlineCombination(MixGrid.Count, horizons, window, minimumOutcomes);

    public bool Observe(int horizon, ReadOnlySpan<float> forecasts, float actual)
    {
        if (forecasts.Length != 2)
            return false;
        Span<float> mixed = stackalloc float[MixGrid.Count];
        for (int k = 0; k < MixGrid.Count; k++)
        {
            float w = (float)MixGrid.Weight(k);
            mixed[k] = w * forecasts[0] + (1 - w) * forecasts[1];
        }
        return _mixes.Observe(horizon, mixed, actual);
    }

    public float Combine(int horizon, ReadOnlySpan<float> forecasts)
    {
        if (forecasts.Length != 2 || !float.IsFinite(forecasts[0]) || !float.IsFinite(forecasts[1]))
            return float.NaN;
        float w = Weight(horizon);
        return w * forecasts[0] + (1 - w) * forecasts[1];
    }

    /// <summary>The first member's weight now at <paramref name="horizon"/>: one half until enough outcomes are in, and where mixes tie.</summary>
    public float Weight(int horizon) =>
        (float)MixGrid.Weight(_mixes.TryGetErrorSums(horizon, out var sums) ? MixGrid.Best(sums) : MixGrid.Count / 2);
}
