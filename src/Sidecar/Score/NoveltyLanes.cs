using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Sidecar.Score;

// The parts of NoveltyScorer for four series at once, one series a lane of a vector register, for
// NoveltyTable. Each lane does exactly the arithmetic the scalar part does, in the same order: IEEE
// addition, multiplication, division and square root give the same bits in a lane as alone, and
// Vector256.Max/Min treat NaN and signed zeros as Math.Max/Min do. Where the scalar part branches, a lane
// computes both sides and keeps one (a mask: all bits set where true). Counts are doubles here, exact far
// beyond any count a series reaches. Inlined into NoveltyTable's step, as the scalar parts are into Observe.

/// <summary><see cref="RecordRange"/> of four series.</summary>
internal struct RecordRangeLanes
{
    public Vector256<double> Low;
    public Vector256<double> High;

    /// <summary>All bits set in a lane whose range holds a value.</summary>
    public Vector256<double> Seen;

    /// <summary><see cref="RecordRange.Exceedance"/> of each lane's value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector256<double> Exceedance(Vector256<double> value)
    {
        Vector256<double> width = High - Low;
        Vector256<double> counts = Seen & Vector256.GreaterThan(width, Vector256<double>.Zero) & Vector256.Equals(value, value);
        Vector256<double> beyond = Vector256.Max(value - High, Low - value);
        Vector256<double> outside = counts & ~Vector256.LessThanOrEqual(beyond, Vector256<double>.Zero);
        // Inside every lane's record (most steps) nothing needs dividing, as in the scalar part.
        if (Vector256.ExtractMostSignificantBits(outside) == 0)
            return Vector256<double>.Zero;
        return outside & Vector256.Max(Vector256<double>.Zero, beyond / width);
    }

    /// <summary><see cref="RecordRange.Include"/> in the lanes of <paramref name="where"/>; the others stay as they are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Include(Vector256<double> value, Vector256<double> centre, Vector256<double> keep, Vector256<double> where)
    {
        Vector256<double> high = Vector256.ConditionalSelect(Vector256.GreaterThan(High, centre), centre + (High - centre) * keep, High);
        Vector256<double> low = Vector256.ConditionalSelect(Vector256.LessThan(Low, centre), centre + (Low - centre) * keep, Low);
        high = Vector256.ConditionalSelect(Seen, Vector256.Max(high, value), value);
        low = Vector256.ConditionalSelect(Seen, Vector256.Min(low, value), value);
        High = Vector256.ConditionalSelect(where, high, High);
        Low = Vector256.ConditionalSelect(where, low, Low);
        Seen |= where;
    }

    public readonly RecordRange Lane(int lane) => new(Low[lane], High[lane], Lanes.IsTrue(Seen[lane]));

    public void SetLane(int lane, RecordRange range)
    {
        Low = Low.WithElement(lane, range.Low);
        High = High.WithElement(lane, range.High);
        Seen = Seen.WithElement(lane, range.Seen ? Lanes.True : 0);
    }
}

/// <summary>The running sums and counts of four <see cref="WindowMean"/>s; their rings are the table's.</summary>
internal struct WindowMeanLanes
{
    public Vector256<double> Sum;
    public Vector256<double> Count;

    /// <summary>
    /// <see cref="WindowMean.Push"/>'s sums: <paramref name="leaving"/> the value the ring gave up, <paramref name="arriving"/> the one it
    /// took; NaN for none (a lane not stepped has both NaN).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Take(Vector256<double> leaving, Vector256<double> arriving)
    {
        Vector256<double> gone = Vector256.Equals(leaving, leaving);
        Sum = Vector256.ConditionalSelect(gone, Sum - leaving, Sum);
        Count = Vector256.ConditionalSelect(gone, Count - Vector256<double>.One, Count);
        Vector256<double> come = Vector256.Equals(arriving, arriving);
        Sum = Vector256.ConditionalSelect(come, Sum + arriving, Sum);
        Count = Vector256.ConditionalSelect(come, Count + Vector256<double>.One, Count);
    }

    /// <summary><see cref="WindowMean.Mean"/> of windows <paramref name="length"/> long.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector256<double> Mean(Vector256<double> length)
    {
        Vector256<double> enough = Vector256.GreaterThanOrEqual(Count * 2, length) & Vector256.GreaterThan(Count, Vector256<double>.Zero);
        return Vector256.ConditionalSelect(enough, Sum / Count, Vector256.Create(double.NaN));
    }
}

/// <summary><see cref="DailyCorrelation"/> of four series.</summary>
internal struct CorrelationLanes
{
    public Vector256<double> Pairs;
    public Vector256<double> Weight;
    public Vector256<double> MeanValue;
    public Vector256<double> MeanAgo;
    public Vector256<double> SquaresValue;
    public Vector256<double> SquaresAgo;
    public Vector256<double> Products;

    /// <summary><see cref="DailyCorrelation.Add"/> in the lanes of <paramref name="where"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(Vector256<double> value, Vector256<double> ago, Vector256<double> keep, Vector256<double> where)
    {
        Vector256<double> weight = Weight * keep + Vector256<double>.One;
        Vector256<double> squaresValue = SquaresValue * keep, squaresAgo = SquaresAgo * keep, products = Products * keep;
        Vector256<double> towardsValue = value - MeanValue, towardsAgo = ago - MeanAgo;
        Vector256<double> meanValue = MeanValue + towardsValue / weight, meanAgo = MeanAgo + towardsAgo / weight;
        squaresValue += towardsValue * (value - meanValue);
        squaresAgo += towardsAgo * (ago - meanAgo);
        products += towardsValue * (ago - meanAgo);
        Pairs = Vector256.ConditionalSelect(where, Pairs + Vector256<double>.One, Pairs);
        Weight = Vector256.ConditionalSelect(where, weight, Weight);
        MeanValue = Vector256.ConditionalSelect(where, meanValue, MeanValue);
        MeanAgo = Vector256.ConditionalSelect(where, meanAgo, MeanAgo);
        SquaresValue = Vector256.ConditionalSelect(where, squaresValue, SquaresValue);
        SquaresAgo = Vector256.ConditionalSelect(where, squaresAgo, SquaresAgo);
        Products = Vector256.ConditionalSelect(where, products, Products);
    }

    /// <summary><see cref="DailyCorrelation.Correlation"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Vector256<double> Correlation()
    {
        Vector256<double> moved = Vector256.GreaterThan(SquaresValue, Vector256<double>.Zero) & Vector256.GreaterThan(SquaresAgo, Vector256<double>.Zero);
        return Vector256.ConditionalSelect(moved, Products / Vector256.Sqrt(SquaresValue * SquaresAgo), Vector256<double>.Zero);
    }

    public readonly DailyCorrelation Lane(int lane) =>
        new(Lanes.Count(Pairs[lane]), Weight[lane], MeanValue[lane], MeanAgo[lane], SquaresValue[lane], SquaresAgo[lane], Products[lane]);

    public void SetLane(int lane, DailyCorrelation correlation)
    {
        var (weight, meanValue, meanAgo, squaresValue, squaresAgo, products) = correlation.Moments;
        Pairs = Pairs.WithElement(lane, correlation.Pairs);
        Weight = Weight.WithElement(lane, weight);
        MeanValue = MeanValue.WithElement(lane, meanValue);
        MeanAgo = MeanAgo.WithElement(lane, meanAgo);
        SquaresValue = SquaresValue.WithElement(lane, squaresValue);
        SquaresAgo = SquaresAgo.WithElement(lane, squaresAgo);
        Products = Products.WithElement(lane, products);
    }
}

/// <summary>What the lanes' types share.</summary>
internal static class Lanes
{
    /// <summary>A mask's true lane: all bits set.</summary>
    public static readonly double True = BitConverter.Int64BitsToDouble(-1);

    public static bool IsTrue(double mask) => BitConverter.DoubleToInt64Bits(mask) != 0;

    /// <summary>A count held as a double, back as the scalar part's int (which it never outgrows in practice).</summary>
    public static int Count(double count) => (int)Math.Min(count, int.MaxValue);
}
