using System.Globalization;
using Sidecar.Host;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Store.Snapshots;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench store-memory</c>: fills a store with node_exporter-shaped series holding a full week at a 1m
/// step and reports the managed memory it holds per stored point and per series, against a baseline
/// measured in the same run (the same points kept as plain (timestamp, value) pairs), the process RSS,
/// and the time to snapshot the store to disk and restore it.
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
        long rss = Environment.WorkingSet;

        // Snapshot and restore of the same store, through the real files.
        string directory = Directory.CreateTempSubdirectory("store-memory-").FullName;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SnapshotFile.Write(directory, store);
        double snapshotSeconds = clock.Elapsed.TotalSeconds;
        long snapshotBytes = new FileInfo(Path.Combine(directory, SnapshotFile.FileName)).Length;
        GC.KeepAlive(store);
        store = null!;
        GC.Collect();
        clock.Restart();
        var restored = new SeriesStore(settings, TimeProvider.System);
        var (restoredSeries, _) = restored.Restore(SnapshotFile.Read(directory)!);
        double restoreSeconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(directory, recursive: true);
        GC.KeepAlive(restored);
        restored = null!;
        GC.Collect();

        // Bytes per point don't depend on the series count: 10k series are enough for the baseline.
        int baselineSeries = Math.Min(seriesCount, 10_000);
        before = GC.GetTotalMemory(forceFullCollection: true);
        var baseline = new (long, double)[baselineSeries][];
        for (int s = 0; s < baselineSeries; s++)
            baseline[s] = new (long, double)[Points];
        long baselineBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(baseline);
        baseline = null!;

        double points = (double)seriesCount * Points;
        double perPoint = storeBytes / points, baselinePerPoint = baselineBytes / ((double)baselineSeries * Points);
        double perSeriesOverhead = (storeBytes - points * sizeof(float)) / seriesCount;
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"series={seriesCount} points_per_series={Points} store_bytes={storeBytes}"));
        Console.WriteLine(string.Create(invariant, $"bytes_per_point={perPoint:F3} baseline_(timestamp,value)_bytes_per_point={baselinePerPoint:F3} ratio={perPoint / baselinePerPoint:F3}"));
        Console.WriteLine(string.Create(invariant, $"fixed_overhead_bytes_per_series={perSeriesOverhead:F0} (labels, routing cache entry, ring header; no model state)"));
        Console.WriteLine(string.Create(invariant, $"process_rss_bytes={rss} ({rss / (double)(1L << 30):F2} GiB, with the store filled)"));
        Console.WriteLine(string.Create(invariant, $"snapshot_seconds={snapshotSeconds:F2} snapshot_bytes={snapshotBytes} restore_seconds={restoreSeconds:F2} restored_series={restoredSeries}"));
        return 0;
    }
}
