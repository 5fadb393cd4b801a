using BenchmarkDotNet.Attributes;
using Sidecar.Backtest;
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
/// <remarks>
/// Each operation ingests the next of <see cref="Rounds"/> requests, each 30 s after the one before (a
/// 30 s scrape interval at the target's 1m step: every other request closes a step), so every stored
/// sample does the work a live one does; re-ingesting one body would find every sample already there.
/// A fresh store per iteration, its routes cached by a first request, keeps the timestamps moving forward.
/// <c>selected</c> is the setup the README recommends (every received series selected and stored);
/// <c>mostly-unselected</c> selects 3 of each host's 100 series and routes the rest to nothing.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(Rounds)]
public class RemoteWriteDecodeBenchmarks
{
    private const int Rounds = 256;
    private const long StartMs = 1_700_000_000_020;
    private const long ScrapeIntervalMs = 30_000;

    private byte[][] _v1 = [];
    private byte[][] _v2 = [];
    private SeriesStore _storeV1 = null!, _storeV2 = null!;
    private int _roundV1, _roundV2;

    [Params("2000x1", "500x10")]
    public string Shape { get; set; } = "2000x1";

    [Params("selected", "mostly-unselected")]
    public string Selection { get; set; } = "selected";

    private (int Series, int Samples) Dimensions => Shape == "2000x1" ? (2000, 1) : (500, 10);

    [GlobalSetup]
    public void Setup()
    {
        var (series, samples) = Dimensions;
        // Round 0 warms the routes in each iteration's setup; rounds 1 to Rounds are the operations.
        long spacing = Math.Max(ScrapeIntervalMs, samples * 15_000L);
        _v1 = [.. Enumerable.Range(0, Rounds + 1).Select(r => NodeExporterPayload.V1(series, samples, StartMs + r * spacing, round: r))];
        _v2 = [.. Enumerable.Range(0, Rounds + 1).Select(r => NodeExporterPayload.V2(series, samples, StartMs + r * spacing, round: r))];
    }

    [IterationSetup]
    public void FreshStores()
    {
        var (_, samples) = Dimensions;
        long endMs = StartMs + (Rounds + 1) * Math.Max(ScrapeIntervalMs, samples * 15_000L);
        var config = ConfigLoader.Load(Selection == "selected" ? NodeExporterPayload.SelectedConfig : NodeExporterPayload.BenchmarkConfig);
        _storeV1 = new SeriesStore(config, new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(endMs)));
        _storeV2 = new SeriesStore(config, new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(endMs)));
        RemoteWriteV1Decoder.Ingest(_storeV1, _v1[0]);
        RemoteWriteV2Decoder.Ingest(_storeV2, _v2[0]);
        _roundV1 = _roundV2 = 1;
    }

    [Benchmark(Baseline = true, Description = "Google.Protobuf parse, v1 (decode only)")]
    public int GeneratedParserV1() => WriteRequest.Parser.ParseFrom(_v1[1]).Timeseries.Count;

    [Benchmark(Description = "v1 decode + select + store")]
    public int SidecarV1() => RemoteWriteV1Decoder.Ingest(_storeV1, _v1[_roundV1++]).SamplesWritten;

    [Benchmark(Description = "v2 decode + select + store")]
    public int SidecarV2() => RemoteWriteV2Decoder.Ingest(_storeV2, _v2[_roundV2++]).SamplesWritten;
}
