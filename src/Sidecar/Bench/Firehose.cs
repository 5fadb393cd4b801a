using System.Diagnostics;
using System.Globalization;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Protocol;
using Sidecar.Store;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench firehose</c>: a fleet of node_exporter hosts (1M active series by default, one sample each
/// per 15 s scrape) arrives as remote-write requests of 2,000 series, of which the 10k node_load1 series
/// are selected. After one scrape has filled the routing cache, it times whole scrapes (snappy decode,
/// protobuf walk, selection, store) on this thread's CPU clock and reports the share of one core that
/// ingest costs at the real scrape interval; the baseline is the CPU of the snappy decode alone.
/// </summary>
internal static class Firehose
{
    public static int Run(int series)
    {
        const int PerRequest = 2000, Rounds = 3;
        const double ScrapeSeconds = 15;
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            limits:
              max_series: 100000
            targets:
              - name: load
                selector: 'node_load1{job="node"}'
                step: 15s
                horizons: [1h]
                history: 1d
            """);
        var store = new SeriesStore(settings, TimeProvider.System);
        var bodies = new List<byte[]>();
        for (int first = 0; first < series; first += PerRequest)
            bodies.Add(Snappier.Snappy.CompressToArray(NodeExporterPayload.V1(Math.Min(PerRequest, series - first), 1, firstHost: first / 100)));

        // Re-sending the same bodies repeats their timestamps, so the selected 1% write nothing new: the
        // figure is decode and selection, what the other 99% cost every scrape.
        void Scrape(bool decodeOnly)
        {
            foreach (byte[] body in bodies)
            {
                byte[] decoded = SnappyBlock.DecompressRented(body, 64 << 20, out int length);
                if (!decodeOnly)
                    RemoteWriteV1Decoder.Ingest(store, decoded.AsSpan(0, length));
                System.Buffers.ArrayPool<byte>.Shared.Return(decoded);
            }
        }
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var cold = Stopwatch.StartNew();
        Scrape(decodeOnly: false);
        double coldSeconds = cold.Elapsed.TotalSeconds;
        long cacheBytes = GC.GetTotalMemory(forceFullCollection: true) - before;

        TimeSpan Cpu(bool decodeOnly)
        {
            TimeSpan start = Process.GetCurrentProcess().TotalProcessorTime;
            for (int round = 0; round < Rounds; round++)
                Scrape(decodeOnly);
            return (Process.GetCurrentProcess().TotalProcessorTime - start) / Rounds;
        }
        TimeSpan baseline = Cpu(decodeOnly: true);
        TimeSpan ingest = Cpu(decodeOnly: false);
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"series={series} selected={store.SeriesCount} requests_per_scrape={bodies.Count} first_scrape_seconds={coldSeconds:F1} routing_cache_bytes={cacheBytes}"));
        Console.WriteLine(string.Create(invariant, $"cpu_per_scrape: snappy_only(baseline)={baseline.TotalSeconds:F3}s ingest={ingest.TotalSeconds:F3}s ratio={ingest / baseline:F2}"));
        Console.WriteLine(string.Create(invariant, $"share_of_one_core_at_15s_scrape={ingest.TotalSeconds / ScrapeSeconds:P2} samples_per_second={series / ScrapeSeconds:F0}"));
        return 0;
    }
}
