using System.Globalization;
using Microsoft.Extensions.Logging;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Backtest;

/// <summary>
/// Replays one CSV file through the serving code (store, training scheduler, streaming pipeline) on a
/// simulated clock. Row by row: the row's sample is ingested, the clock moves just far enough for its
/// step to close, due training runs, then the pipeline processes the step. Nothing later than the row
/// is in the store at that point, so nothing can leak backwards. Baselines forecast from the same
/// history, and every forecast is scored once its outcome arrives.
/// </summary>
internal sealed class BacktestRun(SidecarSettings settings, CsvSeries csv, TimeSpan baselineRange, ILogger logger)
{
    public const string LstmModel = TargetPipeline.LstmModelName;

    /// <param name="scores">When given, receives each row's anomaly outputs.</param>
    public ForecastAccuracy Run(TextWriter? output, RowScores? scores = null)
    {
        TargetSettings target = settings.Targets[0];
        long stepMs = target.StepMs;
        int[] horizons = [.. target.Horizons.Select(h => h.Steps)];
        int maxHorizon = horizons.Max();
        int daySteps = (int)Math.Max(1, 86_400_000 / stepMs);
        int rangeSteps = (int)Math.Max(2, baselineRange.TotalMilliseconds / stepMs);
        IBaselineForecaster[] baselines = [.. BaselineCatalog.Names.Select(name => BaselineCatalog.Create(name, stepMs, rangeSteps))];
        // The strongest classical baseline, fitted as its experts fit it; too costly for the serving fallback.
        var fitted = new RefittedHoltWinters(daySteps);
        string[] members = [LstmModel, .. baselines.Select(b => b.Name), RefittedHoltWinters.ModelName];
        // Online combinations of the LSTM with classical forecasters, each member weighted per horizon by
        // its inverse mean absolute error over the last day of outcomes on this series.
        var combinations = Combinations.Select(c => (Name: c.Name, Members: c.Members.Select(m => Array.IndexOf(members, m)).ToArray(),
            State: new OnlineCombination(c.Members.Length, horizons.Length, window: daySteps, minimumOutcomes: Math.Min(12, daySteps)))).ToArray();
        string[] models = [.. members, .. combinations.Select(c => c.Name)];
        var memberForecasts = new float[Combinations.Max(c => c.Members.Length)];
        var accuracy = new ForecastAccuracy(models, horizons, daySteps);

        var clock = new SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(csv.TimestampsMs.FirstOrDefault()));
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        var store = new SeriesStore(settings, clock);
        using var pipeline = new TargetPipeline(store.Targets[0], new ForecastGauges(registry), metrics, clock, logger);
        using var scheduler = new TrainingScheduler([pipeline], null, metrics, clock, logger);

        // Per model and horizon, the forecasts still waiting for their outcome, by target step.
        var pending = new Dictionary<(int Model, int Horizon, long Step), (float Median, float Lower, float Upper)>();
        int baselineHistory = Math.Max(2 * daySteps + maxHorizon, rangeSteps + 1) + daySteps;
        var history = new float[baselineHistory];
        var baselineForecasts = new float[horizons.Length];
        List<KeyValuePair<string, string>> labels = [new(LabelSet.MetricNameLabel, BacktestSettings.MetricName)];
        output?.WriteLine(Header(target));
        float previousOneStep = float.NaN;
        long previousStep = long.MinValue;
        for (int row = 0; row < csv.Values.Length; row++)
        {
            long timestamp = csv.TimestampsMs[row];
            float value = csv.Values[row];
            if (csv.IsDropped(row))
            {
                // Out of order, as Prometheus drops it: not replayed or scored, but its output row is kept
                // so tools that pair output rows with input rows still line up.
                output?.WriteLine(Row(timestamp, value, float.NaN, [double.NaN, double.NaN, double.NaN], null, horizons.Length));
                continue;
            }
            long step = Math.DivRem(timestamp, stepMs, out long remainder) - (remainder < 0 ? 1 : 0);
            if (!float.IsNaN(value))
                store.Ingest(labels, [new SampleValue(timestamp, value)]);
            // Two steps on, the row's step counts as closed by time; no later sample exists yet.
            clock.Set(DateTimeOffset.FromUnixTimeMilliseconds((step + 2) * stepMs));
            scheduler.RunDue(CancellationToken.None);
            pipeline.Process();
            accuracy.TrainingScale.Observe(value);
            foreach (var c in combinations)
            {
                for (int h = 0; h < horizons.Length; h++)
                {
                    if (Gather(pending, c.Members, h, step, memberForecasts))
                        c.State.Observe(h, memberForecasts.AsSpan(0, c.Members.Length), value);
                }
            }
            Score(accuracy, pending, step, value);

            Series? series = store.Targets[0].Snapshot().FirstOrDefault();
            SeriesForecast? latest = series is null ? null : pipeline.Latest(series);
            float[]? forecast = latest?.Step == step ? latest.Horizons : null;
            if (forecast is not null && latest!.Model == LstmModel)
            {
                for (int h = 0; h < horizons.Length; h++)
                    pending[(0, h, step + horizons[h])] = (forecast[h * 3 + 1], forecast[h * 3], forecast[h * 3 + 2]);
            }
            if (series is not null && !float.IsNaN(value))
            {
                series.CopyHistory(step, history);
                for (int b = 0; b < baselines.Length; b++)
                {
                    if (!baselines[b].TryForecast(history, horizons, baselineForecasts))
                        continue;
                    for (int h = 0; h < horizons.Length; h++)
                        pending[(b + 1, h, step + horizons[h])] = (baselineForecasts[h], float.NaN, float.NaN);
                }
                if (fitted.TryForecast(series, step, horizons, baselineForecasts))
                {
                    for (int h = 0; h < horizons.Length; h++)
                        pending[(baselines.Length + 1, h, step + horizons[h])] = (baselineForecasts[h], float.NaN, float.NaN);
                }
            }
            for (int c = 0; c < combinations.Length; c++)
            {
                for (int h = 0; h < horizons.Length; h++)
                {
                    if (!Gather(pending, combinations[c].Members, h, step + horizons[h], memberForecasts))
                        continue;
                    float combined = combinations[c].State.Combine(h, memberForecasts.AsSpan(0, combinations[c].Members.Length));
                    if (float.IsFinite(combined))
                        pending[(members.Length + c, h, step + horizons[h])] = (combined, float.NaN, float.NaN);
                }
            }
            float predicted = previousStep == step - 1 ? previousOneStep : float.NaN;
            bool current = latest?.Step == step;
            double score = current ? latest!.AnomalyScore : double.NaN;
            double surprise = current && target.Anomaly.SurpriseSteps > 0 ? latest!.Surprise : double.NaN;
            double novelty = current && target.Anomaly.Novelty is not null ? latest!.Novelty : double.NaN;
            if (scores is not null)
            {
                scores.Score[row] = score;
                scores.Surprise[row] = surprise;
                scores.Novelty[row] = novelty;
            }
            output?.WriteLine(Row(csv.TimestampsMs[row], value, predicted, [score, surprise, novelty], forecast, horizons.Length));
            previousOneStep = current ? latest!.NextStep : float.NaN;
            previousStep = step;
        }
        return accuracy;
    }

    /// <summary>The combinations scored beside their members: a name and the models it combines.</summary>
    public static readonly (string Name, string[] Members)[] Combinations =
    [
        ("lstm+holt_winters_fitted", [LstmModel, RefittedHoltWinters.ModelName]),
        ("lstm+holt_winters", [LstmModel, "holt_winters"]),
        ("lstm+fitted+des", [LstmModel, RefittedHoltWinters.ModelName, "double_exponential_smoothing"]),
    ];

    /// <summary>Each member's median forecast for <paramref name="step"/>, when all have one.</summary>
    private static bool Gather(Dictionary<(int, int, long), (float Median, float Lower, float Upper)> pending, int[] members, int horizon, long step, float[] forecasts)
    {
        for (int i = 0; i < members.Length; i++)
        {
            if (!pending.TryGetValue((members[i], horizon, step), out var forecast))
                return false;
            forecasts[i] = forecast.Median;
        }
        return true;
    }

    /// <summary>
    /// Scores the forecasts made for <paramref name="step"/>, only where every model made one, so all
    /// models are compared on the same outcomes.
    /// </summary>
    private static void Score(ForecastAccuracy accuracy, Dictionary<(int, int, long), (float Median, float Lower, float Upper)> pending, long step, float actual)
    {
        int models = accuracy.Models.Count;
        for (int h = 0; h < accuracy.HorizonSteps.Length; h++)
        {
            bool all = true;
            for (int m = 0; m < models && all; m++)
                all = pending.ContainsKey((m, h, step));
            if (all && !float.IsNaN(actual))
            {
                for (int m = 0; m < models; m++)
                {
                    var (median, lower, upper) = pending[(m, h, step)];
                    accuracy.AddPoint(m, h, actual, median);
                    if (!float.IsNaN(lower))
                        accuracy.AddInterval(m, h, actual, lower, upper);
                }
            }
            for (int m = 0; m < models; m++)
                pending.Remove((m, h, step));
        }
    }

    private static string Header(TargetSettings target) =>
        "timestamp,value,predicted,anomaly_score,anomaly_surprise,anomaly_novelty" + string.Concat(target.Horizons.Select(h => $",forecast_{h.Label},lower_{h.Label},upper_{h.Label}"));

    private static string Row(long timestampMs, float value, float predicted, double[] anomaly, float[]? forecast, int horizons)
    {
        var invariant = CultureInfo.InvariantCulture;
        static string Cell(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        string time = DateTimeOffset.FromUnixTimeMilliseconds(timestampMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", invariant);
        var line = new System.Text.StringBuilder();
        line.Append(time).Append(',').Append(Cell(value)).Append(',').Append(Cell(predicted));
        foreach (double a in anomaly)
            line.Append(',').Append(Cell(a));
        for (int h = 0; h < horizons; h++)
        {
            if (forecast is null)
                line.Append(",,,");
            else
                line.Append(',').Append(Cell(forecast[h * 3 + 1])).Append(',').Append(Cell(forecast[h * 3])).Append(',').Append(Cell(forecast[h * 3 + 2]));
        }
        return line.ToString();
    }
}
