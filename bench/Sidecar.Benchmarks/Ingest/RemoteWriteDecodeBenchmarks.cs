using BenchmarkDotNet.Attributes;
using Sidecar.Bench;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Protocol.Prompb;
using Sidecar.Store;

namespace Sidecar.Benchmarks.Ingest;

/// <summary>
/// Claim: decoding a remote-write request and routing every series through the selectors into the store
/// runs at ≥ 10M samples/s per core and allocates nothing per sample once label sets are cached.
/// One operation is one request (2,000 or 5,000 samples); the baseline, Google.Protobuf's generated
/// parser (decode only, no selection, no store), gives the ratio.
/// </summary>
[MemoryDiagnoser]
public class RemoteWriteDecodeBenchmarks
{
    private byte[] _v1 = [];
    private byte[] _v2 = [];
    private SeriesStore _store = null!;

    [Params("2000x1", "500x10")]
    public string Shape { get; set; } = "2000x1";

    private (int Series, int Samples) Dimensions => Shape == "2000x1" ? (2000, 1) : (500, 10);

    [GlobalSetup]
    public void Setup()
    {
        var (series, samples) = Dimensions;
        _v1 = NodeExporterPayload.V1(series, samples);
        _v2 = NodeExporterPayload.V2(series, samples);
        _store = new SeriesStore(ConfigLoader.Load(NodeExporterPayload.BenchmarkConfig), TimeProvider.System);
        // Steady state: every label set has been seen once and its route is cached.
        RemoteWriteV1Decoder.Ingest(_store, _v1);
        RemoteWriteV2Decoder.Ingest(_store, _v2);
    }

    [Benchmark(Baseline = true, Description = "Google.Protobuf parse, v1 (decode only)")]
    public int GeneratedParserV1() => WriteRequest.Parser.ParseFrom(_v1).Timeseries.Count;

    [Benchmark(Description = "v1 decode + select + store")]
    public int SidecarV1() => RemoteWriteV1Decoder.Ingest(_store, _v1).SamplesWritten;

    [Benchmark(Description = "v2 decode + select + store")]
    public int SidecarV2() => RemoteWriteV2Decoder.Ingest(_store, _v2).SamplesWritten;
}
