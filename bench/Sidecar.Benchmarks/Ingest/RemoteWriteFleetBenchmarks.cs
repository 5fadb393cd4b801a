using BenchmarkDotNet.Attributes;
using Sidecar.Backtest;
using Sidecar.Bench;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Store;

namespace Sidecar.Benchmarks.Ingest;

/// <summary>
/// What a store the size of a fleet costs each stored sample: remote-write 1.0 requests of 2,000 series × 1
/// sample, every series selected and stored (the README's setup), into a store of 2,000 series (the same
/// request's series every time, all in cache: <see cref="RemoteWriteDecodeBenchmarks"/>' shape) and of
/// 32,000 (sixteen requests of disjoint hosts in turn, as <c>bench remote-write</c> sends them, so a
/// series' route, object and history have left the caches by its next sample). One operation is one
/// request; the 2,000-series store is the baseline, so the ratio is what the misses of a large store add.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Rounds)]
public class RemoteWriteFleetBenchmarks
{
    private const int Rounds = 256;
    private const int SeriesPerRequest = 2_000;
    private const long StartMs = 1_700_000_000_020;
    private const long ScrapeIntervalMs = 15_000;

    private byte[][] _requests = [];
    private SeriesStore _store = null!;
    private int _round;

    [Params(2_000, 32_000)]
    public int SeriesInStore { get; set; } = 2_000;

    private int RequestsPerScrape => SeriesInStore / SeriesPerRequest;

    [GlobalSetup]
    public void Setup()
    {
        // One scrape first (it creates the routes), then the measured rounds; a scrape is one request per
        // block of hosts (20 hosts of 100 series each), each block's next scrape 15 s later.
        int total = RequestsPerScrape + Rounds;
        _requests = [.. Enumerable.Range(0, total).Select(r => NodeExporterPayload.V1(SeriesPerRequest, 1,
            StartMs + r / RequestsPerScrape * ScrapeIntervalMs, firstHost: r % RequestsPerScrape * 20, round: r / RequestsPerScrape))];
    }

    [IterationSetup]
    public void FreshStore()
    {
        long endMs = StartMs + (_requests.Length / RequestsPerScrape + 1) * ScrapeIntervalMs;
        _store = new SeriesStore(ConfigLoader.Load(NodeExporterPayload.SelectedConfig), new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(endMs)));
        for (_round = 0; _round < RequestsPerScrape; _round++)
            RemoteWriteV1Decoder.Ingest(_store, _requests[_round]);
    }

    [Benchmark(Description = "v1 decode + select + store, 2000x1")]
    public int Ingest() => RemoteWriteV1Decoder.Ingest(_store, _requests[_round++]).SamplesWritten;
}
