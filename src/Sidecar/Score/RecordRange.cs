namespace Sidecar.Score;

/// <summary>
/// The lowest and highest one view of a series has been, with old extremes fading: each step, an extreme
/// moves back towards the series' current level by a fixed fraction, so a spike from months ago stops
/// hiding today's. A value beyond the range is measured as a fraction of the range's width.
/// </summary>
internal struct RecordRange
{
    // A range of width 0 (a flat series) would make its first change infinitely far beyond it.
    private const double MinRelativeWidth = 1e-6;
    private const double MinWidth = 1e-12;

    private double _low;
    private double _high;
    private bool _seen;

    /// <summary>A range that already holds 0: for views that are never negative (changes, surprises).</summary>
    public static RecordRange FromZero() => new() { _seen = true };

    /// <summary>How far <paramref name="value"/> lies beyond the range, as a fraction of its width; 0 inside it, for NaN, or before anything was seen.</summary>
    public readonly double Exceedance(double value)
    {
        if (!_seen || double.IsNaN(value))
            return 0;
        double width = Math.Max(_high - _low, Math.Max(MinRelativeWidth * Math.Max(Math.Abs(_low), Math.Abs(_high)), MinWidth));
        return Math.Max(0, Math.Max(value - _high, _low - value) / width);
    }

    /// <summary>Fades the extremes towards <paramref name="centre"/> by the factor <paramref name="keep"/>, then takes <paramref name="value"/> in.</summary>
    public void Include(double value, double centre, double keep)
    {
        if (!_seen)
        {
            _low = _high = value;
            _seen = true;
            return;
        }
        if (_high > centre)
            _high = centre + (_high - centre) * keep;
        if (_low < centre)
            _low = centre + (_low - centre) * keep;
        _high = Math.Max(_high, value);
        _low = Math.Min(_low, value);
    }
}
