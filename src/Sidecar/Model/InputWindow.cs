namespace Sidecar.Model;

/// <summary>
/// Prepares an inference window that has a few missing steps. One missed scrape should not blank a
/// series' forecasts for a whole window, so short gaps in the input are carried forward from the
/// previous value. Training never sees filled values, and a gap is never scored.
/// </summary>
internal static class InputWindow
{
    /// <summary>At most this fraction of a window may be filled.</summary>
    public const double MaxGapFraction = 0.25;

    /// <summary>
    /// Fills gaps in place. Returns false, leaving the window unusable, when the newest step is missing
    /// or more than <see cref="MaxGapFraction"/> of the window is missing.
    /// </summary>
    public static bool TryFillGaps(Span<float> window)
    {
        if (window.IsEmpty || float.IsNaN(window[^1]))
            return false;
        int gaps = 0;
        foreach (float value in window)
        {
            if (float.IsNaN(value))
                gaps++;
        }
        if (gaps == 0)
            return true;
        if (gaps > window.Length * MaxGapFraction)
            return false;
        int firstValue = 0;
        while (float.IsNaN(window[firstValue]))
            firstValue++;
        window[..firstValue].Fill(window[firstValue]);
        for (int i = firstValue + 1; i < window.Length; i++)
        {
            if (float.IsNaN(window[i]))
                window[i] = window[i - 1];
        }
        return true;
    }
}
