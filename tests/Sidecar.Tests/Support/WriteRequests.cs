using Google.Protobuf;
using Sidecar.Protocol.Prompb;

namespace Sidecar.Tests.Support;

/// <summary>Builds remote-write bodies with the generated protobuf types, our oracle for the wire format.</summary>
internal static class WriteRequests
{
    public static TimeSeries Series(string name, params (string Name, string Value)[] labels)
    {
        var series = new TimeSeries();
        series.Labels.Add(new Label { Name = "__name__", Value = name });
        foreach (var (n, v) in labels.OrderBy(l => l.Name, StringComparer.Ordinal))
            series.Labels.Add(new Label { Name = n, Value = v });
        return series;
    }

    public static TimeSeries With(this TimeSeries series, params (long TimestampMs, double Value)[] samples)
    {
        foreach (var (ts, v) in samples)
            series.Samples.Add(new Sample { Timestamp = ts, Value = v });
        return series;
    }

    public static byte[] Encode(params TimeSeries[] series)
    {
        var request = new WriteRequest();
        request.Timeseries.AddRange(series);
        return request.ToByteArray();
    }

    public static byte[] Snappy(byte[] raw) => Snappier.Snappy.CompressToArray(raw);
}
