namespace Sidecar.Protocol.RemoteWrite;

/// <summary>
/// Walks a remote-write 1.0 <c>prometheus.WriteRequest</c> without allocating. Series and metadata come
/// back as views over the body, in wire order.
/// </summary>
internal ref struct WriteRequestReader(ReadOnlySpan<byte> body)
{
    private const int TimeSeriesField = 1;
    private const int MetadataField = 3;

    private ProtoReader _reader = new(body);

    /// <summary>Advances to the next time series or metadata entry; false at the end of the request.</summary>
    public bool TryRead(out TimeSeriesView series, out MetadataView metadata)
    {
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field == TimeSeriesField)
            {
                ProtoReader.Expect(wireType, WireType.LengthDelimited, "WriteRequest.timeseries");
                series = new TimeSeriesView(_reader.ReadLengthDelimited());
                metadata = default;
                return true;
            }
            if (field == MetadataField)
            {
                ProtoReader.Expect(wireType, WireType.LengthDelimited, "WriteRequest.metadata");
                metadata = MetadataView.Parse(_reader.ReadLengthDelimited());
                series = default;
                return true;
            }
            _reader.Skip(wireType);
        }
        series = default;
        metadata = default;
        return false;
    }
}
