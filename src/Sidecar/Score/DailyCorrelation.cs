using System.Runtime.CompilerServices;

namespace Sidecar.Score;

/// <summary>
/// How closely a series follows itself a day earlier: the correlation of (value, value a day earlier)
/// pairs, with old pairs fading as the records do; novelty keeps a second one for a week earlier. Kept as
/// running means and co-moments (the weighted form of Welford's update), not as raw sums, so large values
/// that move little, such as byte counters, keep their precision. A mutable struct, to spare an object per
/// series.
/// </summary>
internal struct DailyCorrelation
{
    private double _weight;
    private double _meanValue;
    private double _meanDayAgo;
    private double _squaresValue;
    private double _squaresDayAgo;
    private double _products;

    /// <summary>A correlation as a row of <see cref="NoveltyTable"/> holds it.</summary>
    public DailyCorrelation(int pairs, double weight, double meanValue, double meanDayAgo, double squaresValue, double squaresDayAgo, double products)
    {
        Pairs = pairs;
        _weight = weight;
        _meanValue = meanValue;
        _meanDayAgo = meanDayAgo;
        _squaresValue = squaresValue;
        _squaresDayAgo = squaresDayAgo;
        _products = products;
    }

    /// <summary>The pairs' faded weight, their means, and their co-moments: the state <see cref="NoveltyTable"/> copies.</summary>
    public readonly (double Weight, double MeanValue, double MeanDayAgo, double SquaresValue, double SquaresDayAgo, double Products) Moments =>
        (_weight, _meanValue, _meanDayAgo, _squaresValue, _squaresDayAgo, _products);

    /// <summary>Pairs taken in so far, however faded.</summary>
    public int Pairs { readonly get; private set; }

    /// <summary>The correlation, in [-1, 1]; 0 while either side hasn't moved.</summary>
    public readonly double Correlation => _squaresValue > 0 && _squaresDayAgo > 0 ? _products / Math.Sqrt(_squaresValue * _squaresDayAgo) : 0;

    /// <summary>Fades the pairs so far by <paramref name="keep"/>, then takes one more in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into NoveltyScorer.Observe: see there
    public void Add(double value, double dayAgo, double keep)
    {
        Pairs++;
        _weight = _weight * keep + 1;
        _squaresValue *= keep;
        _squaresDayAgo *= keep;
        _products *= keep;
        double towardsValue = value - _meanValue;
        double towardsDayAgo = dayAgo - _meanDayAgo;
        _meanValue += towardsValue / _weight;
        _meanDayAgo += towardsDayAgo / _weight;
        _squaresValue += towardsValue * (value - _meanValue);
        _squaresDayAgo += towardsDayAgo * (dayAgo - _meanDayAgo);
        _products += towardsValue * (dayAgo - _meanDayAgo);
    }

    public readonly void WriteTo(BinaryWriter writer)
    {
        writer.Write(Pairs);
        writer.Write(_weight);
        writer.Write(_meanValue);
        writer.Write(_meanDayAgo);
        writer.Write(_squaresValue);
        writer.Write(_squaresDayAgo);
        writer.Write(_products);
    }

    /// <exception cref="InvalidDataException">A negative pair count.</exception>
    public static DailyCorrelation ReadFrom(BinaryReader reader)
    {
        var correlation = new DailyCorrelation
        {
            Pairs = reader.ReadInt32(),
            _weight = reader.ReadDouble(),
            _meanValue = reader.ReadDouble(),
            _meanDayAgo = reader.ReadDouble(),
            _squaresValue = reader.ReadDouble(),
            _squaresDayAgo = reader.ReadDouble(),
            _products = reader.ReadDouble(),
        };
        if (correlation.Pairs < 0)
            throw new InvalidDataException($"bad daily correlation pair count {correlation.Pairs}");
        return correlation;
    }
}
