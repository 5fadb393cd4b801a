namespace Sidecar.Model;

/// <summary>
/// The mixes of two forecasts the best-mix combinations choose from: the first member's weight 0, 0.1, …, 1.
/// Backtest's <see cref="ConvexPairCombination"/> (errors over a trailing day) and the serving path's
/// <see cref="Score.ForecastCombination"/> (errors weighted over about a day) both pick with <see cref="Best"/>.
/// </summary>
internal static class MixGrid
{
    /// <summary>How many mixes are tried.</summary>
    public const int Count = 11;

    /// <summary>The first member's weight in mix <paramref name="k"/>.</summary>
    public static double Weight(int k) => k / (double)(Count - 1);

    /// <summary>
    /// The mix with the least error, <paramref name="errors"/> holding one per mix in any unit. The middle wins
    /// ties, so two members that are equally good stay averaged.
    /// </summary>
    public static int Best(ReadOnlySpan<double> errors)
    {
        int best = Count / 2;
        for (int k = 0; k < Count; k++)
        {
            if (errors[k] < errors[best] * (1 - 1e-9))
                best = k;
        }
        return best;
    }
}
