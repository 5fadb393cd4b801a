using System.Runtime.CompilerServices;

namespace Sidecar.Score;

/// <summary>
/// The lowest and highest one view of a series has been, with old extremes fading: each step, an extreme
/// moves back towards the series' current level by a fixed fraction, so a spike from months ago stops
/// hiding today's. A value beyond the range is measured as a fraction of the range's width. A range of
/// width 0 (a view that never moved, such as a surprise still warming up at 0) measures nothing: its
/// first move would be infinitely far beyond it, so it only widens the range, and the next move is
/// measured against that.
/// </summary>
internal struct RecordRange
{
    private double _low;
    private double _high;
    private bool _seen;

    /// <summary>A range as a row of <see cref="NoveltyTable"/> holds it.</summary>
    public RecordRange(double low, double high, bool seen)
    {
        _low = low;
        _high = high;
        _seen = seen;
    }

    public readonly double Low => _low;

    public readonly double High => _high;

    /// <summary>Whether the range holds a value yet (a range <see cref="FromZero"/> does from the start).</summary>
    public readonly bool Seen => _seen;

    /// <summary>A range that already holds 0: for views that are never negative (changes, surprises).</summary>
    public static RecordRange FromZero() => new() { _seen = true };

    /// <summary>How far <paramref name="value"/> lies beyond the range, as a fraction of its width; 0 inside it, for NaN, and while the range has no width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into NoveltyScorer.Observe: see there
    public readonly double Exceedance(double value)
    {
        double width = _high - _low;
        if (!_seen || !(width > 0) || double.IsNaN(value))
            return 0;
        // Inside the record (most steps) the share is 0 without dividing; NaN still gives NaN, as it did.
        double beyond = Math.Max(value - _high, _low - value);
        return !(beyond <= 0) ? Math.Max(0, beyond / width) : 0;
    }

    /// <summary>Fades the extremes towards <paramref name="centre"/> by the factor <paramref name="keep"/>, then takes <paramref name="value"/> in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into NoveltyScorer.Observe: see there
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

    public readonly void WriteTo(BinaryWriter writer)
    {
        writer.Write(_low);
        writer.Write(_high);
        writer.Write(_seen);
    }

    public static RecordRange ReadFrom(BinaryReader reader) =>
        new() { _low = reader.ReadDouble(), _high = reader.ReadDouble(), _seen = reader.ReadBoolean() };
}
