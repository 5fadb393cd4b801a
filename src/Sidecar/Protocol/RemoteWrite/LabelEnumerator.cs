namespace Sidecar.Protocol.RemoteWrite;

/// <summary>A label's UTF-8 name and value, both slices of the request body.</summary>
internal readonly ref struct LabelView(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
{
    public ReadOnlySpan<byte> Name { get; } = name;

    public ReadOnlySpan<byte> Value { get; } = value;
}

/// <summary>Enumerates the <c>labels</c> of an encoded TimeSeries in wire order.</summary>
internal ref struct LabelEnumerator(ReadOnlySpan<byte> series)
{
    private const int NameField = 1;
    private const int ValueField = 2;

    private ProtoReader _reader = new(series);

    public LabelView Current { get; private set; }

    public readonly LabelEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field != TimeSeriesView.LabelsField)
            {
                _reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.labels");
            var label = new ProtoReader(_reader.ReadLengthDelimited());
            ReadOnlySpan<byte> name = default, value = default;
            while (label.TryReadTag(out int f, out WireType t))
            {
                if (f == NameField)
                {
                    ProtoReader.Expect(t, WireType.LengthDelimited, "Label.name");
                    name = label.ReadLengthDelimited();
                }
                else if (f == ValueField)
                {
                    ProtoReader.Expect(t, WireType.LengthDelimited, "Label.value");
                    value = label.ReadLengthDelimited();
                }
                else
                {
                    label.Skip(t);
                }
            }
            Current = new LabelView(name, value);
            return true;
        }
        return false;
    }
}
