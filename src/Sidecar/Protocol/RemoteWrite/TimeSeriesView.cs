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

    // Field 1, length-delimited, as one tag byte.
    private const byte LabelTag = LabelsField << 3 | (byte)WireType.LengthDelimited;

    // Field 2, length-delimited, as one tag byte.
    internal const byte SampleTag = SamplesField << 3 | (byte)WireType.LengthDelimited;

    public ReadOnlySpan<byte> Message { get; } = message;

    public LabelEnumerator Labels => new(Message);

    public SampleEnumerator Samples => new(Message);

    /// <summary>
    /// One pass over the series: finds its label key and counts its samples, exemplars and histograms.
    /// The key is the label fields exactly as encoded (tag, length, payload), back to back, so equal label
    /// sets sent in the same order give equal keys. Senders put all labels first, so the key is usually a
    /// slice of the message itself; only interleaved labels are copied into <paramref name="scratch"/>.
    /// </summary>
    /// <returns>False when <paramref name="scratch"/> is too small for an interleaved key.</returns>
    public bool TryScan(Span<byte> scratch, out ReadOnlySpan<byte> key, out SeriesCounts counts)
    {
        counts = default;
        key = default;
        var reader = new ProtoReader(Message);
        int labelsStart = -1, labelsEnd = -1, copied = 0;
        bool interleaved = false;
        while (true)
        {
            int fieldStart = reader.Position;
            // The usual label: small, and right after the labels before it (or the first).
            if (!interleaved && (labelsStart < 0 || labelsEnd == fieldStart) && reader.TryReadShortField(LabelTag, out _))
            {
                if (labelsStart < 0)
                    labelsStart = fieldStart;
                labelsEnd = reader.Position;
                continue;
            }
            if (reader.TryReadShortField(SampleTag, out _))
            {
                if (counts.Samples++ == 0)
                    counts.FirstSampleAt = fieldStart;
                continue;
            }
            if (!reader.TryReadTag(out int field, out WireType wireType))
                break;
            reader.Skip(wireType);
            switch (field)
            {
                case LabelsField:
                    ProtoReader.Expect(wireType, WireType.LengthDelimited, "TimeSeries.labels");
                    if (labelsStart < 0)
                    {
                        labelsStart = fieldStart;
                    }
                    else if (labelsEnd != fieldStart && !interleaved)
                    {
                        // Labels split by other fields: gather what we have so far, then keep appending.
                        interleaved = true;
                        if (labelsEnd - labelsStart > scratch.Length)
                            return false;
                        Message[labelsStart..labelsEnd].CopyTo(scratch);
                        copied = labelsEnd - labelsStart;
                    }
                    if (interleaved)
                    {
                        int length = reader.Position - fieldStart;
                        if (copied + length > scratch.Length)
                            return false;
                        Message[fieldStart..reader.Position].CopyTo(scratch[copied..]);
                        copied += length;
                    }
                    labelsEnd = reader.Position;
                    break;
                case SamplesField:
                    if (counts.Samples++ == 0)
                        counts.FirstSampleAt = fieldStart;
                    break;
                case ExemplarsField:
                    counts.Exemplars++;
                    break;
                case HistogramsField:
                    counts.Histograms++;
                    break;
            }
        }
        key = interleaved ? scratch[..copied] : labelsStart < 0 ? default : Message[labelsStart..labelsEnd];
        return true;
    }
}
