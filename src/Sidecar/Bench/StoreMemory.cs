using System.Globalization;
using Sidecar.Host;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench store-memory</c>: fills a store with node_exporter-shaped series holding a full week at a 1m
/// step and reports the managed memory it holds per stored point and per series, against a baseline
/// measured in the same run: the same points kept as plain (timestamp, value) pairs.
/// </summary>
internal static class StoreMemory
{
    public static int Run(IReadOnlyList<string> args)
    {
        int seriesCount = args.Count > 0 && int.TryParse(args[0].Replace("--series=", "", StringComparison.Ordinal), out int n) ? n : 1000;
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            limits:
              max_series: 1000000
            targets:
              - name: week
                selector: '{job="node"}'
                type: gauge
                step: 1m
                horizons: [1h]
                history: 7d
            """);
        const int Points = 7 * 24 * 60;
        var labels = NodeExporterPayload.SeriesFor(seriesCount);
        var samples = new SampleValue[Points];
        long start = 1_700_000_000_000;

        long before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new SeriesStore(settings, TimeProvider.System);
        int index = 0;
        foreach (var (name, pairs) in labels)
        {
            for (int i = 0; i < Points; i++)
                samples[i] = new SampleValue(start + i * 60_000L + 3, 50 + index % 40 + Math.Sin(i / 60.0) * 10);
            store.Ingest([new("__name__", name), .. pairs.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))], samples);
            index++;
        }
        long storeBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(store);

        before = GC.GetTotalMemory(forceFullCollection: true);
        var baseline = new (long, double)[seriesCount][];
        for (int s = 0; s < seriesCount; s++)
            baseline[s] = new (long, double)[Points];
        long baselineBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(baseline);

        double points = (double)seriesCount * Points;
        double perPoint = storeBytes / points, baselinePerPoint = baselineBytes / points;
        double perSeriesOverhead = (storeBytes - points * sizeof(float)) / seriesCount;
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"series={seriesCount} points_per_series={Points} store_bytes={storeBytes}"));
        Console.WriteLine(string.Create(invariant, $"bytes_per_point={perPoint:F3} baseline_(timestamp,value)_bytes_per_point={baselinePerPoint:F3} ratio={perPoint / baselinePerPoint:F3}"));
        Console.WriteLine(string.Create(invariant, $"fixed_overhead_bytes_per_series={perSeriesOverhead:F0} (labels, routing cache entry, ring header; no model state)"));
        return 0;
    }
}
