namespace Sidecar.Protocol.RemoteWrite;

/// <summary>
/// Walks a remote-write 1.0 <c>prometheus.WriteRequest</c> without allocating. Series come back as
/// views over the body; metadata entries are counted and otherwise skipped.
/// </summary>
internal ref struct WriteRequestReader(ReadOnlySpan<byte> body)
{
    private const int TimeSeriesField = 1;
    private const int MetadataField = 3;

    private ProtoReader _reader = new(body);

    public int MetadataCount { get; private set; }

    /// <summary>Advances to the next time series; false at the end of the request.</summary>
    public bool TryReadSeries(out TimeSeriesView series)
    {
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field == TimeSeriesField)
            {
                ProtoReader.Expect(wireType, WireType.LengthDelimited, "WriteRequest.timeseries");
                series = new TimeSeriesView(_reader.ReadLengthDelimited());
                return true;
            }
            if (field == MetadataField)
                MetadataCount++;
            _reader.Skip(wireType);
        }
        series = default;
        return false;
    }
}
