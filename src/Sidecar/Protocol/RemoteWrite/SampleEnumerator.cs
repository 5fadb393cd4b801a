using System.Buffers.Binary;

namespace Sidecar.Protocol.RemoteWrite;

/// <summary>A float sample: milliseconds since the epoch and its value.</summary>
internal readonly record struct SampleValue(long TimestampMs, double Value);

/// <summary>Enumerates the float <c>samples</c> of an encoded TimeSeries in wire order.</summary>
internal ref struct SampleEnumerator(ReadOnlySpan<byte> series)
{
    private const int ValueField = 1;
    private const int TimestampField = 2;

    // A sample's value (field 1, fixed64) and timestamp (2, varint) as one-byte tags.
    private const byte ValueTag = ValueField << 3 | (byte)WireType.Fixed64;
    private const byte TimestampTag = TimestampField << 3 | (byte)WireType.Varint;

    private ProtoReader _reader = new(series);

    public SampleValue Current { get; private set; }

    public readonly SampleEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        // The usual sample comes as senders write it: a short samples field, the value, then the timestamp.
        if (_reader.TryReadShortField(TimeSeriesView.SampleTag, out ReadOnlySpan<byte> usual))
        {
            Current = Decode(usual);
            return true;
        }
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field != TimeSeriesView.SamplesField)
            {
                _reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.samples");
            Current = Decode(_reader.ReadLengthDelimited());
            return true;
        }
        return false;
    }

    private static SampleValue Decode(ReadOnlySpan<byte> sample)
    {
        if (sample.Length > 10 && sample[0] == ValueTag && sample[9] == TimestampTag)
        {
            var rest = new ProtoReader(sample[10..]);
            ulong timestamp = rest.ReadVarint();
            if (rest.End)
                return new SampleValue((long)timestamp, BinaryPrimitives.ReadDoubleLittleEndian(sample[1..9]));
        }
        return DecodeAnyOrder(sample);
    }

    // Any order, fields left out (proto3 leaves out zeros), repeated (the last wins) or unknown.
    private static SampleValue DecodeAnyOrder(ReadOnlySpan<byte> message)
    {
        var sample = new ProtoReader(message);
        double value = 0;
        long timestamp = 0;
        while (sample.TryReadTag(out int f, out WireType t))
        {
            if (f == ValueField)
            {
                ProtoReader.Expect(t, WireType.Fixed64, "Sample.value");
                value = sample.ReadDouble();
            }
            else if (f == TimestampField)
            {
                ProtoReader.Expect(t, WireType.Varint, "Sample.timestamp");
                timestamp = (long)sample.ReadVarint();
            }
            else
            {
                sample.Skip(t);
            }
        }
        return new SampleValue(timestamp, value);
    }
}
