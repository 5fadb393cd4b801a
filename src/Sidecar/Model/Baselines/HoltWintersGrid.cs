using System.Collections.Immutable;

namespace Sidecar.Model.Baselines;

/// <summary>
/// The smoothing parameters <see cref="HoltWintersForecaster"/> tries: every combination is run over the
/// history, and the one with the smallest one-step squared error wins. A grid instead of an optimiser
/// keeps the fit deterministic, bounded in cost (runs × history length) and free of allocation.
/// </summary>
/// <param name="Level">α, the weight of a new observation in the level.</param>
/// <param name="Trend">β, the weight of a new level change in the trend; 0 keeps the initial trend.</param>
/// <param name="Season">γ, the weight of a new deviation in its season slot.</param>
internal sealed record HoltWintersGrid(ImmutableArray<double> Level, ImmutableArray<double> Trend, ImmutableArray<double> Season)
{
    /// <summary>
    /// α ∈ {0.05, 0.1, 0.2, 0.4, 0.7}, β ∈ {0, 0.01, 0.05, 0.2}, γ ∈ {0.05, 0.1, 0.3, 0.5}: 80 runs. Small
    /// trend weights dominate because a daily-seasonal metric's trend is slow and a large β chases noise.
    /// </summary>
    public static HoltWintersGrid Default { get; } = new([0.05, 0.1, 0.2, 0.4, 0.7], [0, 0.01, 0.05, 0.2], [0.05, 0.1, 0.3, 0.5]);

    public int Combinations => Level.Length * Trend.Length * Season.Length;
}
