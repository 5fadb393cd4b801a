namespace Sidecar.Protocol.RemoteWrite;

/// <summary>
/// Checks that a native histogram (same field numbers in remote-write 1.0 and 2.0) is self-consistent:
/// its count equals the zero bucket plus every bucket, and no bucket is negative. We don't model
/// histograms, but accepting an impossible one would tell the sender it was stored as sent.
/// </summary>
internal static class HistogramCheck
{
    private const int CountInt = 1, CountFloat = 2, Sum = 3, ZeroCountInt = 6, ZeroCountFloat = 7;
    private const int NegativeDeltas = 9, NegativeCounts = 10, PositiveDeltas = 12, PositiveCounts = 13;

    /// <summary>Checks every histogram of a series.</summary>
    /// <returns>Null when all are consistent, otherwise what is wrong with the first that isn't.</returns>
    public static string? FirstProblem(ReadOnlySpan<byte> series, int histogramsField)
    {
        foreach (ReadOnlySpan<byte> histogram in new RepeatedMessageEnumerator(series, histogramsField, "TimeSeries.histograms"))
        {
            if (Validate(histogram) is { } problem)
                return problem;
        }
        return null;
    }

    /// <returns>Null when consistent, otherwise what is wrong.</returns>
    public static string? Validate(ReadOnlySpan<byte> histogram)
    {
        var reader = new ProtoReader(histogram);
        bool isFloat = false;
        ulong countInt = 0, zeroInt = 0;
        double countFloat = 0, zeroFloat = 0, sum = 0, floatBuckets = 0;
        long negative = 0, positive = 0, negativeTotal = 0, positiveTotal = 0;
        bool negativeBucket = false;
        while (reader.TryReadTag(out int field, out WireType wireType))
        {
            switch (field)
            {
                case CountInt:
                    countInt = reader.ReadVarint();
                    break;
                case CountFloat:
                    isFloat = true;
                    countFloat = ReadDouble(ref reader, wireType);
                    break;
                case Sum:
                    sum = ReadDouble(ref reader, wireType);
                    break;
                case ZeroCountInt:
                    zeroInt = reader.ReadVarint();
                    break;
                case ZeroCountFloat:
                    zeroFloat = ReadDouble(ref reader, wireType);
                    break;
                case NegativeDeltas:
                    AddDeltas(ref reader, wireType, ref negative, ref negativeTotal, ref negativeBucket);
                    break;
                case PositiveDeltas:
                    AddDeltas(ref reader, wireType, ref positive, ref positiveTotal, ref negativeBucket);
                    break;
                case NegativeCounts or PositiveCounts:
                    floatBuckets += SumDoubles(ref reader, wireType, ref negativeBucket);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (negativeBucket)
            return "a histogram bucket has a negative count";
        if (isFloat)
        {
            double buckets = floatBuckets + zeroFloat;
            bool matches = Math.Abs(buckets - countFloat) <= 1e-9 * Math.Max(1, Math.Abs(countFloat));
            // A NaN sum may come with observations of NaN, which no bucket counts.
            return matches || (double.IsNaN(sum) && countFloat > buckets) ? null
                : $"histogram count {countFloat} does not match its buckets ({buckets})";
        }
        long total = negativeTotal + positiveTotal + (long)zeroInt;
        return (ulong)total == countInt || (double.IsNaN(sum) && countInt > (ulong)total) ? null
            : $"histogram count {countInt} does not match its buckets ({total})";
    }

    private static double ReadDouble(ref ProtoReader reader, WireType wireType)
    {
        ProtoReader.Expect(wireType, WireType.Fixed64, "Histogram");
        return reader.ReadDouble();
    }

    // Integer buckets arrive as deltas from the previous bucket (zig-zag varints, usually packed).
    private static void AddDeltas(ref ProtoReader reader, WireType wireType, ref long bucket, ref long total, ref bool negativeBucket)
    {
        if (wireType == WireType.LengthDelimited)
        {
            var packed = new ProtoReader(reader.ReadLengthDelimited());
            while (!packed.End)
                AddDelta(packed.ReadVarint(), ref bucket, ref total, ref negativeBucket);
            return;
        }
        ProtoReader.Expect(wireType, WireType.Varint, "Histogram deltas");
        AddDelta(reader.ReadVarint(), ref bucket, ref total, ref negativeBucket);
    }

    private static void AddDelta(ulong zigzag, ref long bucket, ref long total, ref bool negativeBucket)
    {
        long delta = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
        bucket = unchecked(bucket + delta);
        if (bucket < 0)
            negativeBucket = true;
        total = unchecked(total + bucket);
    }

    private static double SumDoubles(ref ProtoReader reader, WireType wireType, ref bool negativeBucket)
    {
        double sum = 0;
        if (wireType == WireType.LengthDelimited)
        {
            var packed = new ProtoReader(reader.ReadLengthDelimited());
            while (!packed.End)
            {
                double value = packed.ReadDouble();
                negativeBucket |= value < 0;
                sum += value;
            }
            return sum;
        }
        double single = ReadDouble(ref reader, wireType);
        negativeBucket |= single < 0;
        return single;
    }
}
