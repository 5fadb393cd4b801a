using System.Numerics;
using System.Runtime.Intrinsics;

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
    /// ties, so two members that are equally good stay averaged: the mixes are scanned from the first with the
    /// middle's error as the bar, and one takes over when its error is below the bar by a margin of 1e-9.
    /// </summary>
    /// <remarks>
    /// Where the least error beats every other mix's error times the margin, the scan ends on it wherever it
    /// starts (it takes over when reached, every bar before it being another mix's error times the margin,
    /// above it, and nothing after it gets under its own bar), so three vector comparisons find it without
    /// the scan's branches: which of them are taken depends on where each series' best mix lies, and the scan
    /// was a third of judging an outcome in the steady step (perf, bench inference, issue 19). Near ties, and
    /// anything the proof doesn't cover (a negative error, a NaN), take the scan.
    /// </remarks>
    public static int Best(ReadOnlySpan<double> errors)
    {
        if (errors.Length < Count)
            throw new ArgumentException($"{Count} errors expected.", nameof(errors));
        Vector256<double> low = Vector256.Create(errors[..4]), middle = Vector256.Create(errors.Slice(4, 4));
        // A fourth lane repeating the first mix's error: it can't change the least, and its bit is masked off.
        Vector256<double> high = Vector256.Create(errors[8], errors[9], errors[10], errors[0]);
        Vector256<double> least = Vector256.Min(Vector256.Min(low, middle), high);
        double smallest = Math.Min(Math.Min(least[0], least[1]), Math.Min(least[2], least[3]));
        Vector256<double> bar = Vector256.Create(smallest);
        uint unbeaten = ~(Vector256.GreaterThan(low * Margin, bar).ExtractMostSignificantBits()
            | Vector256.GreaterThan(middle * Margin, bar).ExtractMostSignificantBits() << 4
            | Vector256.GreaterThan(high * Margin, bar).ExtractMostSignificantBits() << 8) & ((1u << Count) - 1);
        // The least error is never beaten by its own bar; alone unbeaten, it is the scan's answer.
        if (smallest >= 0 && BitOperations.PopCount(unbeaten) == 1)
            return BitOperations.TrailingZeroCount(unbeaten);
        return Scan(errors);
    }

    // A mix takes over from the best so far when its error is below the best's by this factor.
    private const double Margin = 1 - 1e-9;

    private static int Scan(ReadOnlySpan<double> errors)
    {
        int best = Count / 2;
        for (int k = 0; k < Count; k++)
        {
            if (errors[k] < errors[best] * Margin)
                best = k;
        }
        return best;
    }
}
