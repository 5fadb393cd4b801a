namespace Sidecar.Protocol.RemoteWrite.V2;

/// <summary>
/// Enumerates a v2 series' <c>labels_refs</c> as (name, value) symbol pairs. The field may arrive packed
/// (the proto3 default) or unpacked; an odd count is malformed.
/// </summary>
internal ref struct LabelRefEnumerator(ReadOnlySpan<byte> series)
{
    private ProtoReader _fields = new(series);
    private ProtoReader _packed = new(ReadOnlySpan<byte>.Empty);

    public (uint Name, uint Value) Current { get; private set; }

    public readonly LabelRefEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (!TryNextRef(out uint name))
            return false;
        if (!TryNextRef(out uint value))
            MalformedInputException.Throw("remote-write 2.0: labels_refs has an odd number of entries");
        Current = (name, value);
        return true;
    }

    private bool TryNextRef(out uint reference)
    {
        while (true)
        {
            if (!_packed.End)
            {
                reference = ToRef(_packed.ReadVarint());
                return true;
            }
            if (!_fields.TryReadTag(out int field, out WireType wireType))
            {
                reference = 0;
                return false;
            }
            if (field != SeriesView.LabelRefsField)
            {
                _fields.Skip(wireType);
                continue;
            }
            if (wireType == WireType.LengthDelimited)
            {
                _packed = new ProtoReader(_fields.ReadLengthDelimited());
                continue;
            }
            ProtoReader.Expect(wireType, WireType.Varint, "TimeSeries.labels_refs");
            reference = ToRef(_fields.ReadVarint());
            return true;
        }
    }

    private static uint ToRef(ulong value)
    {
        if (value > uint.MaxValue)
            MalformedInputException.Throw($"remote-write 2.0: label reference {value} is not a uint32");
        return (uint)value;
    }
}
