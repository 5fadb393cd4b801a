using System.Globalization;
using Sidecar.Backtest;
using Sidecar.Host;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Store.Snapshots;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench churn</c>: a fleet that redeploys. N pods each write one sample a step; every generation
/// (6 simulated hours by default) all N are replaced by pods with new label values, as a Kubernetes
/// deploy does, for G generations, on a simulated clock. Three runs of the same length side by side: a
/// stable fleet (the same N pods throughout: the baseline), the churning fleet with forgetting
/// (<c>forget_after</c> = the history, the default), and the churning fleet with forgetting turned off
/// (<c>forget_after</c> of ten years: what every version before it did). After each generation it
/// reports series held, new series refused at <c>limits.max_series</c> (6 N), the managed heap, RSS and
/// the snapshot's size. The store is what grows per series; model state is bounded by the same count.
/// </summary>
internal static class SeriesChurn
{
    private const long StartMs = 1_700_000_000_000;
    private const long StepMs = 60_000;

    public static int Run(int pods, int generations, int generationHours)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pods={pods} generations={generations} generation_hours={generationHours} step=1m history=1d max_series={6 * pods}"));
        var stable = Simulate("stable", pods, generations, generationHours, churn: false, forgetAfter: null);
        var forgetting = Simulate("churn_forget_after_history", pods, generations, generationHours, churn: true, forgetAfter: null);
        var keeping = Simulate("churn_never_forgotten", pods, generations, generationHours, churn: true, forgetAfter: "3650d");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"end: churn_with_forgetting/stable series={forgetting.Series / (double)stable.Series:F2} heap={forgetting.Heap / (double)stable.Heap:F2} "
            + $"snapshot={forgetting.SnapshotBytes / (double)stable.SnapshotBytes:F2} refused={forgetting.Refused}; "
            + $"never_forgotten/stable series={keeping.Series / (double)stable.Series:F2} heap={keeping.Heap / (double)stable.Heap:F2} "
            + $"snapshot={keeping.SnapshotBytes / (double)stable.SnapshotBytes:F2} refused={keeping.Refused}"));
        return 0;
    }

    /// <summary>Where a run stood after its last generation.</summary>
    internal readonly record struct Outcome(int Series, long Refused, long Heap, long SnapshotBytes);

    internal static Outcome Simulate(string name, int pods, int generations, int generationHours, bool churn, string? forgetAfter)
    {
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            limits:
              max_series: {6 * pods}
            targets:
              - name: fleet
                selector: 'container_cpu_load'
                step: 1m
                horizons: [1h]
                history: 1d
            {(forgetAfter is null ? "" : "    forget_after: " + forgetAfter)}
            """);
        var clock = new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(StartMs));
        var store = new SeriesStore(settings, clock);
        long refused = 0;
        store.SeriesOverLimit += (_, _) => refused++;
        string directory = Directory.CreateTempSubdirectory("bench-churn-").FullName;
        int stepsPerGeneration = generationHours * 60;
        var sample = new SampleValue[1];
        List<Series> closedSeries = [];
        List<int> closedIds = [];
        Outcome last = default;
        try
        {
            for (int generation = 0; generation < generations; generation++)
            {
                int labelsGeneration = churn ? generation : 0;
                var labels = Enumerable.Range(0, pods).Select(p => new List<KeyValuePair<string, string>>
                {
                    new("__name__", "container_cpu_load"),
                    new("namespace", "shop"),
                    new("pod", $"web-{labelsGeneration:D4}-{p:D5}"),
                }).ToArray();
                for (int step = 0; step < stepsPerGeneration; step++)
                {
                    long now = StartMs + ((long)generation * stepsPerGeneration + step) * StepMs;
                    clock.Set(DateTimeOffset.FromUnixTimeMilliseconds(now));
                    for (int p = 0; p < pods; p++)
                    {
                        sample[0] = new SampleValue(now, 40 + 20 * Math.Sin(step / 60.0 + p) + p % 7);
                        store.Ingest(labels[p], sample);
                    }
                    // The inference loop checks once a step; each target's pipeline then takes the series that
                    // closed a step and frees what it held for the forgotten ones. Here nothing else runs, so they
                    // are taken as the pipeline would, or the queue of forgotten ones alone would keep them alive.
                    store.ForgetSilent();
                    foreach (var target in store.Targets)
                    {
                        closedSeries.Clear();
                        closedIds.Clear();
                        target.TakeClosed(closedSeries, closedIds);
                        while (target.TryDequeueForgotten(out _))
                        {
                        }
                    }
                }
                SnapshotFile.Write(directory, store);
                long snapshotBytes = new FileInfo(Path.Combine(directory, SnapshotFile.FileName)).Length;
                long heap = GC.GetTotalMemory(forceFullCollection: true);
                last = new Outcome(store.SeriesCount, refused, heap, snapshotBytes);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name} generation={generation + 1} series_tracked={store.SeriesCount} refused_new_series={refused} managed_heap_bytes={heap} rss_bytes={Environment.WorkingSet} snapshot_bytes={snapshotBytes}"));
            }
            return last;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
