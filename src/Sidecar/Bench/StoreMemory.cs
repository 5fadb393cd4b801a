using System.Globalization;
using Sidecar.Host;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Store.Snapshots;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench store-memory</c>: fills a store with the default history, eight days, of node_exporter-like data (see
/// <see cref="NodeExporterHistory"/>), scraped every 30 s into 1m steps, counters stored as rates as in
/// production, and reports the managed memory it holds per stored point and per series, against two
/// baselines measured in the same run: the same points as plain (timestamp, value) pairs, and the
/// store's previous layout (a float32 per step, plus the same per-series overhead). Also the process
/// RSS, and the time to snapshot the store to disk and restore it. After a restart novelty needs its
/// records: built from each series' whole history, or read back from the scoring state saved with the
/// snapshot; both are timed, against the restore.
/// </summary>
internal static class StoreMemory
{
    private const int Steps = 8 * 24 * 60;
    private const long ScrapeIntervalMs = 30_000;
    private const long StartMs = 1_700_000_000_000;
    private const int ScrapesPerStep = (int)(60_000 / ScrapeIntervalMs);

    // Steps the pipeline serves after its first, on the filled store: the steady state a sizing should hold.
    private const int LaterSteps = 5;

    // No type given: the _total families are counters, stored as per-step rates, the rest gauges.
    /// <summary>The bench's settings: the setup the README recommends, one target selecting the whole job at a 1m step over the default 8 days.</summary>
    public static SidecarSettings Settings() => ConfigLoader.Load(NodeExporterPayload.SelectedConfig);

    public static int Run(int seriesCount)
    {
        var settings = Settings();
        var labels = NodeExporterPayload.SeriesFor(seriesCount);
        int historyScrapes = (int)(Steps * 60_000L / ScrapeIntervalMs);
        var samples = new SampleValue[historyScrapes + LaterSteps * ScrapesPerStep];

        // What a series costs before it has history: the same series, each holding a single step (three
        // scrapes, so that a counter has one rate).
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var store = Fill(settings, TimeProvider.System, labels, samples, scrapes: 3);
        double fixedPerSeries = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)seriesCount;
        GC.KeepAlive(store);
        store = null!;

        // The history's scrapes go in now; each series' next few scrapes are kept for the pipeline's steps below.
        var later = new SampleValue[seriesCount][];
        var historyEnd = new Backtest.SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(StartMs + historyScrapes * ScrapeIntervalMs));
        before = GC.GetTotalMemory(forceFullCollection: true);
        store = Fill(settings, historyEnd, labels, samples, historyScrapes, later);
        long storeBytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        long rss = Environment.WorkingSet;
        long storedSteps = store.Targets.Sum(t => t.Snapshot().Sum(s => (long)s.ClosedStepCount));
        var served = ServeFromStore(store, historyEnd, labels, later);

        // Snapshot and restore of the same store, through the real files.
        string directory = Directory.CreateTempSubdirectory("store-memory-").FullName;
        GC.Collect();
        PeakRss.Reset();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        SnapshotFile.Write(directory, store);
        double snapshotSeconds = clock.Elapsed.TotalSeconds;
        long snapshotBytes = new FileInfo(Path.Combine(directory, SnapshotFile.FileName)).Length;
        long? snapshotPeak = PeakRss.Bytes();
        GC.KeepAlive(store);
        store = null!;
        GC.Collect();
        // The restore's peak in a process of its own, as at a sidecar's start (RestorePeak says why); then
        // the same restore here, to prime and save novelty from it.
        var (restorePeak, restoreSeconds, restoredSeries) = RestorePeak.InChildProcess(directory, historyEnd.GetUtcNow().ToUnixTimeMilliseconds());
        var restored = new SeriesStore(settings, historyEnd);
        restored.Restore(SnapshotFile.Read(directory)!);
        var (primingSeconds, primedSteps, scores) = PrimeNovelty(restored);
        string scoresPath = Pipeline.SavedScoresFile.PathFor(directory, settings.Targets[0].Name);
        // What a pipeline's export holds its lock for: every series' novelty copied out of the target's
        // table (NoveltyTable.Export), the rest of the scoring state being a few numbers a series.
        var table = new Score.NoveltyTable(settings.Targets[0].Anomaly.Novelty!);
        for (int row = 0; row < scores.Series.Count; row++)
            table.CopyIn(scores.Series[row].Novelty!, row);
        clock.Restart();
        for (int row = 0; row < scores.Series.Count; row++)
            table.Export(row);
        double scoresCopySeconds = clock.Elapsed.TotalSeconds;
        GC.KeepAlive(table);
        table = null!;
        clock.Restart();
        Pipeline.SavedScoresFile.Write(scoresPath, scores);
        double scoresWriteSeconds = clock.Elapsed.TotalSeconds;
        long scoresBytes = new FileInfo(scoresPath).Length;
        clock.Restart();
        int readBack = Pipeline.SavedScoresFile.Read(scoresPath, settings.Targets[0].Anomaly.Novelty).Series.Count;
        double scoresReadSeconds = clock.Elapsed.TotalSeconds;
        Directory.Delete(directory, recursive: true);
        GC.KeepAlive(restored);
        restored = null!;
        GC.Collect();

        // Bytes per point don't depend on the series count: 10k series are enough for the baselines.
        int baselineSeries = Math.Min(seriesCount, 10_000);
        double pairsPerPoint = MeasurePerSeries(baselineSeries, () => new (long, double)[Steps]) / Steps;
        double previousPerPoint = (MeasurePerSeries(baselineSeries, () => new float[Steps]) + fixedPerSeries) / Steps;

        // model.combine: holt_winters at this 1m step: each series' combination with its fitted model (a daily
        // season of 1,440 offsets), for the horizons of the default config (5m, 1h, 6h), held as the pipeline
        // holds them: judging in the target's rows, offsets in its season table, both by series id.
        var combinationRows = new Score.CombinationRows([5, 60, 360], 1440);
        var seasons = new Model.Baselines.HoltWintersSeasons(1440);
        int nextId = 0;
        double combinationPerSeries = MeasurePerSeries(baselineSeries, () =>
        {
            int id = nextId++;
            var combination = new Score.ForecastCombination(combinationRows, id);
            var model = new Model.Baselines.HoltWintersModel(0.2, 0.01, 0.1, 0, 0, new double[1440], 0, 0);
            combination.Adopt(model, 0);
            seasons.Hold(id, model, nextStep: 1);
            return combination;
        });
        GC.KeepAlive(combinationRows);
        GC.KeepAlive(seasons);

        var (pipelinePerSeries, lstmStatePerSeries) = PipelineStatePerSeries(baselineSeries);
        double gaugesPerSeries = GaugesPerSeries(baselineSeries);

        double points = (double)seriesCount * Steps;
        double perPoint = storeBytes / points;
        double historyPerPoint = (storeBytes - fixedPerSeries * seriesCount) / points;
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"series={seriesCount} points_per_series={Steps} scrape_interval_s={ScrapeIntervalMs / 1000} block_steps={StepRing.DefaultBlockSteps} stored_steps={storedSteps} store_bytes={storeBytes}"));
        Console.WriteLine(string.Create(invariant, $"bytes_per_point={perPoint:F3} (history alone: {historyPerPoint:F3}) baseline_(timestamp,value)_bytes_per_point={pairsPerPoint:F3} ratio={perPoint / pairsPerPoint:F3} baseline_previous_float32_bytes_per_point={previousPerPoint:F3} ratio={perPoint / previousPerPoint:F3}"));
        Console.WriteLine(string.Create(invariant, $"fixed_overhead_bytes_per_series={fixedPerSeries:F0} (labels, routing cache entry, series, ring holding one step; no model state)"));
        Console.WriteLine(string.Create(invariant, $"pipeline_state_bytes_per_series={pipelinePerSeries:F0} (scorers, novelty records, adaptive interval, forecasts, the series' gauges and the carried LSTM state, of which that state {lstmStatePerSeries:F0}) ratio_to_store_per_series={pipelinePerSeries * seriesCount / storeBytes:F3} (default target settings, horizons 5m/1h/6h, measured on {baselineSeries} series; not in store_bytes)"));
        Console.WriteLine(string.Create(invariant, $"of_which_gauges_bytes_per_series={gaugesPerSeries:F0} (a series' 13 forecast gauges: values, label text and entry among the live series, after a scrape, with the bench's node_exporter label sets)"));
        Console.WriteLine(string.Create(invariant, $"combine_holt_winters_bytes_per_series={combinationPerSeries:F0} ratio_to_store_per_series={combinationPerSeries * seriesCount / storeBytes:F3} (model.combine's state at 1m steps, horizons 5m/1h/6h; not in store_bytes)"));
        Console.WriteLine(string.Create(invariant, $"process_rss_bytes={rss} ({rss / (double)(1L << 30):F2} GiB, with the store filled)"));
        Console.WriteLine(string.Create(invariant, $"served_first_step_seconds={served.FirstStepSeconds:F1} served_first_step_peak_rss_bytes={served.FirstStepPeakRss} ({served.FirstStepPeakRss / (double)(1L << 30):F2} GiB: novelty primed from each series' history, every LSTM state warmed from its last window at once, as after a new model)"));
        Console.WriteLine(string.Create(invariant, $"served_steady_rss_bytes={served.SteadyRss} ({served.SteadyRss / (double)(1L << 30):F2} GiB, store and pipeline after {LaterSteps} more steps and two scrapes of /metrics; managed heap {served.SteadyManagedBytes / (double)(1L << 30):F2} GiB) served_steady_step_seconds={Median(served.SteadyStepSeconds):F3} (median of the {LaterSteps}: {string.Join(' ', served.SteadyStepSeconds.Select(s => s.ToString("F3", invariant)))})"));
        Console.WriteLine(string.Create(invariant, $"scrape_bytes={served.ScrapeBytes} ({served.ScrapeBytes / (double)seriesCount:F0} per series) first_scrape_seconds={served.FirstScrapeSeconds:F2} later_scrape_seconds={served.LaterScrapeSeconds:F2} first_scrape_peak_rss_bytes={served.FirstScrapePeakRss} ({served.FirstScrapePeakRss / (double)(1L << 30):F2} GiB; the text exposition of every gauge, into a sink that counts bytes)"));
        Console.WriteLine(string.Create(invariant, $"snapshot_seconds={snapshotSeconds:F2} snapshot_bytes={snapshotBytes} restore_seconds={restoreSeconds:F2} restored_series={restoredSeries} snapshot_peak_rss_bytes={snapshotPeak} ({snapshotPeak / (double)(1L << 30):F2} GiB, the store alone) restore_peak_rss_bytes={restorePeak} ({restorePeak / (double)(1L << 30):F2} GiB, a process of its own that only restores, as at a sidecar's start)"));
        Console.WriteLine(string.Create(invariant, $"novelty_priming_seconds={primingSeconds:F2} ratio_to_restore={primingSeconds / restoreSeconds:F2} ns_per_primed_step={primingSeconds * 1e9 / primedSteps:F1} (every restored series' records built from its whole history, as after a restart without saved scores)"));
        Console.WriteLine(string.Create(invariant, $"scores_copy_seconds={scoresCopySeconds:F3} (under the pipeline's lock, at each snapshot) scores_write_seconds={scoresWriteSeconds:F2} scores_bytes={scoresBytes} scores_read_seconds={scoresReadSeconds:F2} read_series={readBack} ratio_read_to_priming={scoresReadSeconds / primingSeconds:F3} ratio_read_to_restore={scoresReadSeconds / restoreSeconds:F3}"));
        return 0;
    }

    // The middle one of an odd count (LaterSteps): a step that met a collection or a neighbour's burst doesn't move it.
    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        return sorted[sorted.Length / 2];
    }

    /// <summary>What the process holds while a pipeline serves the filled store: the production shape a sizing is for.</summary>
    /// <param name="SteadyStepSeconds">Each of the ordinary steps' time, in order.</param>
    private readonly record struct ServedStore(double FirstStepSeconds, long FirstStepPeakRss, long SteadyRss, long SteadyManagedBytes, double[] SteadyStepSeconds,
        long ScrapeBytes, double FirstScrapeSeconds, double LaterScrapeSeconds, long FirstScrapePeakRss);

    /// <summary>
    /// Runs the default pipeline (an untrained network of the default shape) over every series of the filled
    /// store: the first step primes novelty from each series' history and warms each LSTM state from its last
    /// window, as after a new model (every series at once); then <see cref="LaterSteps"/> ordinary steps with
    /// the scrapes kept back in <paramref name="later"/>. Reports the peak RSS of the first step and the RSS
    /// of the steady state, store and pipeline together.
    /// </summary>
    private static ServedStore ServeFromStore(SeriesStore store, Backtest.SimulatedClock clock, IReadOnlyList<(string Name, (string, string)[] Labels)> labels, SampleValue[][] later)
    {
        var target = store.Targets[0].Settings;
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var gauges = new Expose.ForecastGauges();
        using var pipeline = new Pipeline.TargetPipeline(store.Targets[0], gauges, new Expose.SelfMetrics(registry), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        pipeline.Publish(UntrainedModel.For(target, target.Model.HiddenSize, target.Model.Layers));
        PeakRss.Reset();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        pipeline.Process();
        double firstSeconds = watch.Elapsed.TotalSeconds;
        long firstPeak = PeakRss.Bytes() ?? -1;
        long stepStartMs = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var steadySeconds = new double[LaterSteps];
        for (int step = 0; step < LaterSteps; step++)
        {
            for (int index = 0; index < labels.Count; index++)
                store.Ingest(LabelsOf(labels[index]), later[index].AsSpan(step * ScrapesPerStep, ScrapesPerStep));
            clock.Set(DateTimeOffset.FromUnixTimeMilliseconds(stepStartMs + (step + 1) * 60_000L));
            watch.Restart();
            pipeline.Process();
            steadySeconds[step] = watch.Elapsed.TotalSeconds;
        }
        // Prometheus scrapes /metrics: the first scrape renders and keeps the label text of the registry's children (the self-metrics).
        GC.Collect();
        PeakRss.Reset();
        var firstScrape = MetricsScrape.Run(gauges, registry);
        long scrapePeak = PeakRss.Bytes() ?? -1;
        var secondScrape = MetricsScrape.Run(gauges, registry);
        long managed = GC.GetTotalMemory(forceFullCollection: true);
        long rss = Environment.WorkingSet;
        GC.KeepAlive(registry);
        return new ServedStore(firstSeconds, firstPeak, rss, managed, steadySeconds, firstScrape.Bytes, firstScrape.Seconds, secondScrape.Seconds, scrapePeak);
    }

    /// <summary>
    /// What the inference pipeline holds per series beside the store, once every series is warm: its state
    /// (scorers, novelty, adaptive interval, the newest forecast), its gauges in the registry, and the
    /// carried LSTM state, under the default target settings at the bench's 1m step: the heap's growth from
    /// before the pipeline existed to after its 30th step, less what the store grew by over those steps,
    /// measured the same way without a pipeline. The carried LSTM state is in the managed heap since
    /// 2026-12-05 (<see cref="Model.StreamingStates"/>), so it is part of that growth; it is also given apart.
    /// </summary>
    private static (double Total, double LstmState) PipelineStatePerSeries(int count)
    {
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            limits:
              max_series: {count + 10}
            targets:
              - name: state
                selector: 'state_value'
                step: 1m
                history: 8d
            """);
        var target = settings.Targets[0];
        var labels = Enumerable.Range(0, count)
            .Select(s => new List<KeyValuePair<string, string>> { new("__name__", "state_value"), new("instance", "host-" + s.ToString(CultureInfo.InvariantCulture)) })
            .ToArray();
        long first = 1_700_000_000_000 / target.StepMs;
        void Write(SeriesStore store, Backtest.SimulatedClock time, long step)
        {
            for (int s = 0; s < count; s++)
                store.Ingest(labels[s], [new SampleValue(step * target.StepMs, 50 + 10 * Math.Sin(step / 30.0 + s))]);
            time.Set(DateTimeOffset.FromUnixTimeMilliseconds((step + 2) * target.StepMs));
        }
        long StoreGrowth()
        {
            var time = new Backtest.SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(first * target.StepMs));
            var store = new SeriesStore(settings, time);
            for (long step = first; step < first + 60; step++)
                Write(store, time, step);
            long before = GC.GetTotalMemory(forceFullCollection: true);
            for (long step = first + 60; step < first + 90; step++)
                Write(store, time, step);
            long grown = GC.GetTotalMemory(forceFullCollection: true) - before;
            GC.KeepAlive(store);
            return grown;
        }
        long storeGrowth = StoreGrowth();

        var clock = new Backtest.SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(first * target.StepMs));
        var held = new SeriesStore(settings, clock);
        for (long step = first; step < first + 60; step++)
            Write(held, clock, step);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var gauges = new Expose.ForecastGauges();
        using var pipeline = new Pipeline.TargetPipeline(held.Targets[0], gauges, new Expose.SelfMetrics(registry), clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        pipeline.Publish(UntrainedModel.For(target, target.Model.HiddenSize, target.Model.Layers));
        for (long step = first + 60; step < first + 90; step++)
        {
            Write(held, clock, step);
            pipeline.Process();
        }
        MetricsScrape.Run(gauges, registry);
        long managed = GC.GetTotalMemory(forceFullCollection: true) - heapBefore - storeGrowth;
        long lstmState = pipeline.StreamingStateBytes;
        GC.KeepAlive(registry);
        return (managed / (double)count, lstmState / (double)count);
    }

    /// <summary>
    /// What a series' gauges hold once Prometheus has scraped them (<see cref="Expose.SeriesGauges"/>: the
    /// values, the rendered label text, the entry among the live series). Measured with the
    /// bench's node_exporter-like label sets (two to five labels besides the name), under the default target
    /// settings.
    /// </summary>
    private static double GaugesPerSeries(int count)
    {
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: week
                selector: '{job="node"}'
                step: 1m
            """);
        var target = settings.Targets[0];
        var labels = NodeExporterPayload.SeriesFor(count).Select(series => new LabelSet(LabelsOf(series))).ToArray();
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var gauges = new Expose.ForecastGauges();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var held = labels.Select(series => gauges.Create(series, target, Pipeline.TargetPipeline.LstmModelName)).ToArray();
        MetricsScrape.Run(gauges, registry);
        double perSeries = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(held);
        return perSeries;
    }

    /// <summary>Builds every series' novelty records from its stored history, as the pipeline does for a series it first sees.</summary>
    /// <returns>The time taken, the steps fed, and the scorers as the scoring state the snapshot would carry.</returns>
    private static (double Seconds, long Steps, Pipeline.SavedScores Scores) PrimeNovelty(SeriesStore store)
    {
        long steps = 0;
        var saved = new List<Pipeline.SavedSeriesScores>();
        var none = new Pipeline.PendingForecast(long.MinValue, 0, float.NaN, float.NaN, false);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var target in store.Targets)
        {
            var history = new Pipeline.NoveltyHistory(target.Settings);
            foreach (var series in target.Snapshot())
            {
                long last = series.LastClosedStep;
                var scorer = new Score.NoveltyScorer(target.Settings.Anomaly.Novelty!);
                history.Advance(scorer, series, last, series.CopyHistoryAt(last), double.NaN);
                steps += Math.Min(series.ClosedStepCount, target.Settings.HistorySteps);
                saved.Add(new Pipeline.SavedSeriesScores(series.Labels.ToString(), default, default, scorer, none));
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        var novelty = store.Targets[0].Settings.Anomaly.Novelty!;
        return (seconds, steps, new Pipeline.SavedScores(novelty.SmoothingSteps, novelty.OnsetSteps, saved));
    }

    /// <param name="later">When given, each series' scrapes after the first <paramref name="scrapes"/>, which are kept here instead of ingested.</param>
    private static SeriesStore Fill(SidecarSettings settings, TimeProvider time, IReadOnlyList<(string Name, (string, string)[] Labels)> labels, SampleValue[] samples, int scrapes,
        SampleValue[][]? later = null)
    {
        var store = new SeriesStore(settings, time);
        int generated = later is null ? scrapes : samples.Length;
        for (int index = 0; index < labels.Count; index++)
        {
            var (name, pairs) = labels[index];
            NodeExporterHistory.Fill(name, pairs, index, StartMs, ScrapeIntervalMs, samples.AsSpan(0, generated));
            store.Ingest(LabelsOf(labels[index]), samples.AsSpan(0, scrapes));
            if (later is not null)
                later[index] = samples[scrapes..];
        }
        return store;
    }

    private static List<KeyValuePair<string, string>> LabelsOf((string Name, (string, string)[] Labels) series) =>
        [new("__name__", series.Name), .. series.Labels.Select(p => new KeyValuePair<string, string>(p.Item1, p.Item2))];

    /// <summary>Managed bytes per series of <paramref name="count"/> objects made by <paramref name="create"/>.</summary>
    private static double MeasurePerSeries(int count, Func<object> create)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var held = new object[count];
        for (int i = 0; i < count; i++)
            held[i] = create();
        double perSeries = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(held);
        return perSeries;
    }
}
