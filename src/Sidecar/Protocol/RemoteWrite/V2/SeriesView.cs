namespace Sidecar.Protocol.RemoteWrite.V2;

/// <summary>
/// One encoded v2 <c>TimeSeries</c>. Samples share v1's field numbers (samples = 2, Sample.value = 1,
/// Sample.timestamp = 2), so <see cref="SampleEnumerator"/> reads them as it does for v1.
/// </summary>
internal readonly ref struct SeriesView(ReadOnlySpan<byte> message)
{
    public const int LabelRefsField = 1;
    public const int HistogramsField = 3;
    public const int ExemplarsField = 4;
    public const int MetadataField = 5;
    public const byte KeyFormat = 2;

    private const int MetadataTypeField = 1;
    private const int MetadataHelpField = 3;
    private const int MetadataUnitField = 4;

    public ReadOnlySpan<byte> Message { get; } = message;

    public SampleEnumerator Samples => new(Message);

    public LabelRefEnumerator LabelRefs => new(Message);

    public int Count(int field) => new TimeSeriesView(Message).Count(field);

    /// <summary>
    /// Copies the series' labels, resolved through <paramref name="symbols"/>, as the routing key:
    /// length-prefixed name and value bytes, pair after pair, behind a format byte.
    /// </summary>
    /// <returns>Bytes written, or -1 when <paramref name="destination"/> is too small.</returns>
    public int CopyLabelKey(ReadOnlySpan<byte> request, SymbolTable symbols, Span<byte> destination)
    {
        if (destination.IsEmpty)
            return -1;
        destination[0] = KeyFormat;
        int written = 1;
        foreach (var (name, value) in LabelRefs)
        {
            ReadOnlySpan<byte> nameBytes = symbols.Get(request, name, "labels_refs");
            ReadOnlySpan<byte> valueBytes = symbols.Get(request, value, "labels_refs");
            if (written + 8 + nameBytes.Length + valueBytes.Length > destination.Length)
                return -1;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[written..], nameBytes.Length);
            nameBytes.CopyTo(destination[(written + 4)..]);
            written += 4 + nameBytes.Length;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[written..], valueBytes.Length);
            valueBytes.CopyTo(destination[(written + 4)..]);
            written += 4 + valueBytes.Length;
        }
        return written;
    }

    /// <summary>The series' metadata: type and symbol references of help and unit (0, the empty string, when absent).</summary>
    public (int Type, uint HelpRef, uint UnitRef) Metadata()
    {
        var reader = new ProtoReader(Message);
        int type = 0;
        uint help = 0, unit = 0;
        while (reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field != MetadataField)
            {
                reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.metadata");
            var metadata = new ProtoReader(reader.ReadLengthDelimited());
            while (metadata.TryReadTag(out int f, out WireType t))
            {
                if (f is MetadataTypeField or MetadataHelpField or MetadataUnitField)
                {
                    ProtoReader.Expect(t, WireType.Varint, "Metadata");
                    ulong v = metadata.ReadVarint();
                    if (f == MetadataTypeField)
                        type = (int)Math.Min(v, int.MaxValue);
                    else if (f == MetadataHelpField)
                        help = (uint)Math.Min(v, uint.MaxValue);
                    else
                        unit = (uint)Math.Min(v, uint.MaxValue);
                }
                else
                {
                    metadata.Skip(t);
                }
            }
        }
        return (type, help, unit);
    }
}
