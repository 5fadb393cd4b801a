namespace Sidecar.Protocol;

/// <summary>Enumerates the length-delimited entries of one repeated field of a message, in wire order.</summary>
internal ref struct RepeatedMessageEnumerator(ReadOnlySpan<byte> message, int field, string fieldName)
{
    private ProtoReader _reader = new(message);

    public ReadOnlySpan<byte> Current { get; private set; }

    public readonly RepeatedMessageEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_reader.TryReadTag(out int f, out WireType wireType))
        {
            if (f != field)
            {
                _reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, fieldName);
            Current = _reader.ReadLengthDelimited();
            return true;
        }
        return false;
    }
}
