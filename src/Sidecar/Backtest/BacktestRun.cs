using Microsoft.Extensions.Logging;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Backtest;

/// <summary>
/// Replays CSV files as the series of one target through the serving code (store, training scheduler,
/// streaming pipeline) on a simulated clock. One file is a target with one series; several files are a
/// target with many series, as production has, so one model is trained across them and each step's
/// forecasts are batched across them. The files' rows are merged in time: at each step, the next row of
/// every file that has one there is ingested, the clock moves just far enough for the step to close, due
/// training runs, then the pipeline processes the step. Nothing later than those rows is in the store at
/// that point, so nothing can leak backwards. Each file's baselines forecast from the same history, and
/// every forecast is scored once its outcome arrives (<see cref="ReplayedSeries"/>).
/// </summary>
internal sealed class BacktestRun(SidecarSettings settings, IReadOnlyList<CsvSeries> files, TimeSpan baselineRange, ILogger logger)
{
    public const string LstmModel = TargetPipeline.LstmModelName;

    /// <summary>The label that tells the series of a replay of several files apart: the file's name.</summary>
    public const string FileLabel = "file";

    /// <summary>The combinations scored beside their members: a name, the models it combines, and how they are weighted.</summary>
    public static readonly (string Name, string[] Members, CombinationWeighting Weighting)[] Combinations =
    [
        ("lstm+holt_winters_fitted", [LstmModel, RefittedHoltWinters.ModelName], CombinationWeighting.InverseError),
        ("lstm+holt_winters", [LstmModel, "holt_winters"], CombinationWeighting.InverseError),
        ("lstm+fitted+des", [LstmModel, RefittedHoltWinters.ModelName, "double_exponential_smoothing"], CombinationWeighting.InverseError),
        ("lstm+holt_winters_fitted/mse", [LstmModel, RefittedHoltWinters.ModelName], CombinationWeighting.InverseSquaredError),
        ("lstm+fitted+seasonal_naive", [LstmModel, RefittedHoltWinters.ModelName, "seasonal_naive"], CombinationWeighting.InverseError),
        ("lstm+holt_winters_fitted/best_mix", [LstmModel, RefittedHoltWinters.ModelName], CombinationWeighting.BestMix),
    ];

    /// <summary>How a backtest combination weighs its members, judged on the last day of outcomes.</summary>
    public enum CombinationWeighting
    {
        /// <summary>Each by the inverse of its mean absolute error (<see cref="OnlineCombination"/>).</summary>
        InverseError,

        /// <summary>Each by the inverse of its mean squared error.</summary>
        InverseSquaredError,

        /// <summary>Two members, mixed by the weight of eleven that did best (<see cref="ConvexPairCombination"/>), as the serving path does.</summary>
        BestMix,
    }

    public BacktestRun(SidecarSettings settings, CsvSeries csv, TimeSpan baselineRange, ILogger logger)
        : this(settings, [csv], baselineRange, logger)
    {
    }

    /// <summary>Replays a single file.</summary>
    /// <param name="scores">When given, receives each row's anomaly outputs.</param>
    public ForecastAccuracy Run(TextWriter? output, RowScores? scores = null) => RunAll([output], [scores])[0];

    /// <summary>Replays every file together; each file's accuracy, in the order of the files.</summary>
    /// <param name="outputs">Per file, where its row-by-row outputs go, or null.</param>
    /// <param name="scores">Per file, what receives its rows' anomaly outputs, or null.</param>
    public ForecastAccuracy[] RunAll(IReadOnlyList<TextWriter?> outputs, IReadOnlyList<RowScores?> scores)
    {
        TargetSettings target = settings.Targets[0];
        long stepMs = target.StepMs;
        var replayed = new ReplayedSeries[files.Count];
        for (int k = 0; k < files.Count; k++)
            replayed[k] = new ReplayedSeries(files[k], Labels(files, k), target, baselineRange, outputs[k], scores[k]);

        long first = files.Min(f => f.TimestampsMs.Length == 0 ? long.MaxValue : f.TimestampsMs[0]);
        var clock = new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(first == long.MaxValue ? 0 : first));
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        var store = new SeriesStore(settings, clock);
        using var pipeline = new TargetPipeline(store.Targets[0], new ForecastGauges(), metrics, clock, logger);
        using var scheduler = new TrainingScheduler([pipeline], null, metrics, clock, logger);

        var stored = new Series?[files.Count];
        var cursors = new int[files.Count];
        var batch = new List<int>(files.Count);
        while (true)
        {
            // The step of the earliest next row over all files; rows that went back in time are passed on the way.
            long next = long.MaxValue;
            for (int k = 0; k < files.Count; k++)
            {
                CsvSeries csv = files[k];
                while (cursors[k] < csv.Values.Length && csv.IsDropped(cursors[k]))
                    replayed[k].SkipDroppedRow(cursors[k]++);
                if (cursors[k] < csv.Values.Length)
                    next = Math.Min(next, StepOf(csv.TimestampsMs[cursors[k]], stepMs));
            }
            if (next == long.MaxValue)
                break;
            // One row per file at a time, so a file with two rows in one step is replayed as before: each row
            // ingested and processed in turn, as repeated remote-writes of one step are.
            batch.Clear();
            for (int k = 0; k < files.Count; k++)
            {
                CsvSeries csv = files[k];
                if (cursors[k] >= csv.Values.Length || StepOf(csv.TimestampsMs[cursors[k]], stepMs) != next)
                    continue;
                batch.Add(k);
                float value = csv.Values[cursors[k]];
                if (!float.IsNaN(value))
                    store.Ingest(replayed[k].Labels, [new SampleValue(csv.TimestampsMs[cursors[k]], value)]);
            }
            // Two steps on, the step counts as closed by time; no later sample exists yet.
            clock.Set(DateTimeOffset.FromUnixTimeMilliseconds((next + 2) * stepMs));
            scheduler.RunDue(CancellationToken.None);
            pipeline.Process();
            foreach (int k in batch)
            {
                if (stored[k] is null || stored[k]!.Forgotten)
                    stored[k] = Find(store.Targets[0], replayed[k].Labels);
                replayed[k].AfterStep(cursors[k]++, next, stored[k], pipeline);
            }
        }
        return [.. replayed.Select(r => r.Accuracy)];
    }

    private static long StepOf(long timestampMs, long stepMs) =>
        Math.DivRem(timestampMs, stepMs, out long remainder) - (remainder < 0 ? 1 : 0);

    /// <summary>
    /// The metric name alone for a single file, as the sidecar would store a lone series; with several
    /// files, each file's name tells its series apart.
    /// </summary>
    private static List<KeyValuePair<string, string>> Labels(IReadOnlyList<CsvSeries> files, int index)
    {
        List<KeyValuePair<string, string>> labels = [new(LabelSet.MetricNameLabel, BacktestSettings.MetricName)];
        if (files.Count > 1)
            labels.Add(new(FileLabel, Path.GetFileName(files[index].Source)));
        return labels;
    }

    private static Series? Find(TargetStore target, List<KeyValuePair<string, string>> labels)
    {
        var wanted = new LabelSet(labels);
        return target.Snapshot().FirstOrDefault(s => s.Labels.Equals(wanted));
    }
}
