using Google.Protobuf;
using Sidecar.Protocol.Prompb.V2;

namespace Sidecar.Tests.Support;

/// <summary>Builds remote-write 2.0 bodies with the generated types, interning strings as a sender does.</summary>
internal sealed class V2Requests
{
    private readonly Request _request = new();
    private readonly Dictionary<string, uint> _refs = [];

    public V2Requests() => Ref("");

    public uint Ref(string symbol)
    {
        if (!_refs.TryGetValue(symbol, out uint reference))
        {
            reference = (uint)_request.Symbols.Count;
            _request.Symbols.Add(symbol);
            _refs[symbol] = reference;
        }
        return reference;
    }

    /// <summary>Adds a series; labels go in the order given (senders should sort, but may not).</summary>
    public TimeSeries Add(IEnumerable<(string Name, string Value)> labels, params (long TimestampMs, double Value)[] samples)
    {
        var series = new TimeSeries();
        foreach (var (name, value) in labels)
        {
            series.LabelsRefs.Add(Ref(name));
            series.LabelsRefs.Add(Ref(value));
        }
        foreach (var (ts, v) in samples)
            series.Samples.Add(new Sample { Timestamp = ts, Value = v });
        _request.Timeseries.Add(series);
        return series;
    }

    public Request Request => _request;

    public byte[] Encode() => _request.ToByteArray();
}
