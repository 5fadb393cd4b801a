namespace Sidecar.Protocol.RemoteWrite.V2;

/// <summary>
/// One encoded v2 <c>TimeSeries</c>. Samples share v1's field numbers (samples = 2, Sample.value = 1,
/// Sample.timestamp = 2), so <see cref="SampleEnumerator"/> reads them over <see cref="Message"/> as for v1.
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

    public LabelRefEnumerator LabelRefs => new(Message);

    /// <summary>
    /// One pass over the series: builds its routing key from its labels, resolved through
    /// <paramref name="symbols"/> (length-prefixed name and value bytes, pair after pair, behind a
    /// format byte), and counts its samples, exemplars and histograms.
    /// </summary>
    /// <returns>False when <paramref name="scratch"/> is too small for the key.</returns>
    public bool TryScan(ReadOnlySpan<byte> request, SymbolTable symbols, Span<byte> scratch, out ReadOnlySpan<byte> key, out SeriesCounts counts)
    {
        counts = default;
        key = default;
        if (scratch.IsEmpty)
            return false;
        scratch[0] = KeyFormat;
        int written = 1;
        bool pendingName = false;
        var reader = new ProtoReader(Message);
        while (true)
        {
            int fieldStart = reader.Position;
            if (!reader.TryReadTag(out int field, out WireType wireType))
                break;
            switch (field)
            {
                case LabelRefsField when wireType == WireType.LengthDelimited:
                    var packed = new ProtoReader(reader.ReadLengthDelimited());
                    while (!packed.End)
                    {
                        if (!TryAppendRef(request, symbols, packed.ReadVarint(), scratch, ref written, ref pendingName))
                            return false;
                    }
                    break;
                case LabelRefsField:
                    ProtoReader.Expect(wireType, WireType.Varint, "TimeSeries.labels_refs");
                    if (!TryAppendRef(request, symbols, reader.ReadVarint(), scratch, ref written, ref pendingName))
                        return false;
                    break;
                case 2:
                    if (counts.Samples++ == 0)
                        counts.FirstSampleAt = fieldStart;
                    reader.Skip(wireType);
                    break;
                case ExemplarsField:
                    counts.Exemplars++;
                    reader.Skip(wireType);
                    break;
                case HistogramsField:
                    counts.Histograms++;
                    reader.Skip(wireType);
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        if (pendingName)
            MalformedInputException.Throw("remote-write 2.0: labels_refs has an odd number of entries");
        key = scratch[..written];
        return true;
    }

    private static bool TryAppendRef(ReadOnlySpan<byte> request, SymbolTable symbols, ulong reference, Span<byte> scratch, ref int written, ref bool pendingName)
    {
        if (reference > uint.MaxValue)
            MalformedInputException.Throw($"remote-write 2.0: label reference {reference} is not a uint32");
        ReadOnlySpan<byte> symbol = symbols.Get(request, (uint)reference, "labels_refs");
        if (written + 4 + symbol.Length > scratch.Length)
            return false;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(scratch[written..], symbol.Length);
        symbol.CopyTo(scratch[(written + 4)..]);
        written += 4 + symbol.Length;
        pendingName = !pendingName;
        return true;
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
