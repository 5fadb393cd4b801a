namespace Sidecar.Protocol.RemoteWrite;

/// <summary>A float sample: milliseconds since the epoch and its value.</summary>
internal readonly record struct SampleValue(long TimestampMs, double Value);

/// <summary>Enumerates the float <c>samples</c> of an encoded TimeSeries in wire order.</summary>
internal ref struct SampleEnumerator(ReadOnlySpan<byte> series)
{
    private const int ValueField = 1;
    private const int TimestampField = 2;

    private ProtoReader _reader = new(series);

    public SampleValue Current { get; private set; }

    public readonly SampleEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field != TimeSeriesView.SamplesField)
            {
                _reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.samples");
            var sample = new ProtoReader(_reader.ReadLengthDelimited());
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
            Current = new SampleValue(timestamp, value);
            return true;
        }
        return false;
    }
}
