namespace Sidecar.Protocol.RemoteWrite.V2;

/// <summary>Walks the time series of a remote-write 2.0 <c>io.prometheus.write.v2.Request</c> without allocating.</summary>
internal ref struct RequestReader(ReadOnlySpan<byte> request)
{
    private const int TimeSeriesField = 5;

    private ProtoReader _reader = new(request);

    public bool TryReadSeries(out SeriesView series)
    {
        while (_reader.TryReadTag(out int field, out WireType wireType))
        {
            if (field == TimeSeriesField)
            {
                ProtoReader.Expect(wireType, WireType.LengthDelimited, "Request.timeseries");
                series = new SeriesView(_reader.ReadLengthDelimited());
                return true;
            }
            _reader.Skip(wireType);
        }
        series = default;
        return false;
    }
}
