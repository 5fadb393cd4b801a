namespace Sidecar.Protocol.RemoteWrite;

/// <summary>
/// One encoded <c>prometheus.TimeSeries</c>. Labels and samples are decoded lazily, so a series the
/// selectors drop costs only a scan of its labels.
/// </summary>
internal readonly ref struct TimeSeriesView(ReadOnlySpan<byte> message)
{
    internal const int LabelsField = 1;
    internal const int SamplesField = 2;
    internal const int ExemplarsField = 3;
    internal const int HistogramsField = 4;

    public const byte KeyFormat = 1;

    public ReadOnlySpan<byte> Message { get; } = message;

    public LabelEnumerator Labels => new(Message);

    public SampleEnumerator Samples => new(Message);

    /// <summary>Counts a repeated field we accept but don't model (exemplars, histograms).</summary>
    public int Count(int field)
    {
        int count = 0;
        var reader = new ProtoReader(Message);
        while (reader.TryReadTag(out int f, out WireType wireType))
        {
            if (f == field)
                count++;
            reader.Skip(wireType);
        }
        return count;
    }

    /// <summary>
    /// Copies the encoded label entries, back to back, into <paramref name="destination"/>. Equal label
    /// sets sent in the same order give equal bytes, which makes this a cheap cache key.
    /// </summary>
    /// <returns>Bytes written, or -1 when <paramref name="destination"/> is too small.</returns>
    public int CopyLabelKey(Span<byte> destination)
    {
        if (destination.IsEmpty)
            return -1;
        // The leading byte keeps v1 keys apart from keys of other formats.
        destination[0] = KeyFormat;
        int written = 1;
        var reader = new ProtoReader(Message);
        while (reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field != LabelsField)
            {
                reader.Skip(wireType);
                continue;
            }
            ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.labels");
            ReadOnlySpan<byte> label = reader.ReadLengthDelimited();
            // A length prefix keeps ("ab","c") and ("a","bc") apart.
            if (written + 4 + label.Length > destination.Length)
                return -1;
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination[written..], label.Length);
            label.CopyTo(destination[(written + 4)..]);
            written += 4 + label.Length;
        }
        return written;
    }
}
