using System.Globalization;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using Sidecar.Store;

namespace Sidecar.Backtest;

/// <summary>
/// One CSV file of a replay, as one series of the replayed target: its labels, the baselines and
/// combinations that forecast it beside the LSTM, the forecasts waiting for their outcomes, its accuracy,
/// and its row-by-row output. <see cref="BacktestRun"/> calls <see cref="AfterStep"/> once the pipeline
/// has processed the step of each of the file's rows, in file order.
/// </summary>
internal sealed class ReplayedSeries
{
    private readonly int[] _horizons;
    private readonly IBaselineForecaster[] _baselines;
    private readonly RefittedHoltWinters _fitted;
    private readonly string[] _members;
    private readonly (string Name, int[] Members, IForecastCombination State)[] _combinations;
    private readonly float[] _memberForecasts;
    // Per model and horizon, the forecasts still waiting for their outcome, by target step.
    private readonly Dictionary<(int Model, int Horizon, long Step), (float Median, float Lower, float Upper)> _pending = [];
    private readonly float[] _history;
    private readonly float[] _baselineForecasts;
    private readonly bool _surprise;
    private readonly bool _novelty;
    private readonly TextWriter? _output;
    private readonly RowScores? _scores;
    // Where the published forecast is scored, with model.combine; -1 when it is the LSTM's own.
    private readonly int _publishedModel;
    private float _previousOneStep = float.NaN;
    private long _previousStep = long.MinValue;

    /// <param name="labels">The series' labels as the replay ingests them.</param>
    /// <param name="output">When given, receives the row-by-row outputs as CSV.</param>
    /// <param name="scores">When given, receives each row's anomaly outputs.</param>
    public ReplayedSeries(CsvSeries csv, List<KeyValuePair<string, string>> labels, TargetSettings target, TimeSpan baselineRange, TextWriter? output, RowScores? scores)
    {
        Csv = csv;
        Labels = labels;
        long stepMs = target.StepMs;
        _horizons = [.. target.Horizons.Select(h => h.Steps)];
        int maxHorizon = _horizons.Max();
        int daySteps = (int)Math.Max(1, 86_400_000 / stepMs);
        int rangeSteps = (int)Math.Max(2, baselineRange.TotalMilliseconds / stepMs);
        _baselines = [.. BaselineCatalog.Names.Select(name => BaselineCatalog.Create(name, stepMs, rangeSteps))];
        // The strongest classical baseline, fitted as its experts fit it; too costly for the serving fallback.
        _fitted = new RefittedHoltWinters(daySteps);
        _members = [BacktestRun.LstmModel, .. _baselines.Select(b => b.Name), RefittedHoltWinters.ModelName];
        // Online combinations of the LSTM with classical forecasters, judged per horizon on the last day of
        // outcomes on this series: each member weighted by its inverse error, or (best_mix) the pair's best mix.
        _combinations = [.. BacktestRun.Combinations.Select(c => (c.Name, c.Members.Select(m => Array.IndexOf(_members, m)).ToArray(),
            CombinationFor(c.Weighting, c.Members.Length, daySteps)))];
        _memberForecasts = new float[BacktestRun.Combinations.Max(c => c.Members.Length)];
        _publishedModel = target.Model.Combine == ModelCombination.None ? -1 : _members.Length + _combinations.Length;
        string[] published = _publishedModel < 0 ? [] : [PublishedModel];
        Accuracy = new ForecastAccuracy([.. _members, .. _combinations.Select(c => c.Name), .. published], _horizons, daySteps);
        _history = new float[Math.Max(2 * daySteps + maxHorizon, rangeSteps + 1) + daySteps];
        _baselineForecasts = new float[_horizons.Length];
        _surprise = target.Anomaly.SurpriseSteps > 0;
        _novelty = target.Anomaly.Novelty is not null;
        _output = output;
        _scores = scores;
        output?.WriteLine("timestamp,value,predicted,anomaly_score,anomaly_surprise,anomaly_novelty"
            + string.Concat(target.Horizons.Select(h => $",forecast_{h.Label},lower_{h.Label},upper_{h.Label}")));
    }

    private IForecastCombination CombinationFor(BacktestRun.CombinationWeighting weighting, int members, int daySteps)
    {
        int minimumOutcomes = Math.Min(12, daySteps);
        return weighting == BacktestRun.CombinationWeighting.BestMix
            ? new ConvexPairCombination(_horizons.Length, window: daySteps, minimumOutcomes)
            : new OnlineCombination(members, _horizons.Length, window: daySteps, minimumOutcomes, squared: weighting == BacktestRun.CombinationWeighting.InverseSquaredError);
    }

    /// <summary>With <c>model.combine</c>: the model name of what the sidecar publishes, the LSTM combined in the serving path.</summary>
    public const string PublishedModel = "published";

    public CsvSeries Csv { get; }

    public List<KeyValuePair<string, string>> Labels { get; }

    public ForecastAccuracy Accuracy { get; }

    /// <summary>
    /// A row that went back in time, which the replay drops as Prometheus drops an out-of-order sample: not
    /// replayed or scored, but its output row is kept so tools that pair output rows with input rows still line up.
    /// </summary>
    public void SkipDroppedRow(int row) =>
        _output?.WriteLine(Row(Csv.TimestampsMs[row], Csv.Values[row], float.NaN, [double.NaN, double.NaN, double.NaN], null));

    /// <summary>
    /// Scores what the row's value settles, then records the forecasts made at its step: the LSTM's from the
    /// pipeline, the baselines' and the combinations' from the history up to the row.
    /// </summary>
    /// <param name="series">The stored series; null until its first sample is in.</param>
    public void AfterStep(int row, long step, Series? series, TargetPipeline pipeline)
    {
        float value = Csv.Values[row];
        Accuracy.TrainingScale.Observe(value);
        foreach (var c in _combinations)
        {
            for (int h = 0; h < _horizons.Length; h++)
            {
                if (Gather(c.Members, h, step))
                    c.State.Observe(h, _memberForecasts.AsSpan(0, c.Members.Length), value);
            }
        }
        Score(step, value);

        SeriesForecast? latest = series is null ? null : pipeline.Latest(series);
        float[]? forecast = latest?.Step == step ? latest.Horizons : null;
        if (forecast is not null && latest!.Model == BacktestRun.LstmModel)
        {
            for (int h = 0; h < _horizons.Length; h++)
            {
                // The LSTM's own median; the band is the published one (with model.combine it moves with the combined median).
                float lstm = latest.LstmMedians?[h] ?? forecast[h * 3 + 1];
                _pending[(0, h, step + _horizons[h])] = (lstm, forecast[h * 3], forecast[h * 3 + 2]);
                if (_publishedModel >= 0)
                    _pending[(_publishedModel, h, step + _horizons[h])] = (forecast[h * 3 + 1], float.NaN, float.NaN);
            }
        }
        if (series is not null && !float.IsNaN(value))
            ForecastBaselines(series, step);
        for (int c = 0; c < _combinations.Length; c++)
        {
            for (int h = 0; h < _horizons.Length; h++)
            {
                if (!Gather(_combinations[c].Members, h, step + _horizons[h]))
                    continue;
                float combined = _combinations[c].State.Combine(h, _memberForecasts.AsSpan(0, _combinations[c].Members.Length));
                if (float.IsFinite(combined))
                    _pending[(_members.Length + c, h, step + _horizons[h])] = (combined, float.NaN, float.NaN);
            }
        }
        float predicted = _previousStep == step - 1 ? _previousOneStep : float.NaN;
        bool current = latest?.Step == step;
        double score = current ? latest!.AnomalyScore : double.NaN;
        double surprise = current && _surprise ? latest!.Surprise : double.NaN;
        double novelty = current && _novelty ? latest!.Novelty : double.NaN;
        if (_scores is not null)
        {
            _scores.Score[row] = score;
            _scores.Surprise[row] = surprise;
            _scores.Novelty[row] = novelty;
        }
        _output?.WriteLine(Row(Csv.TimestampsMs[row], value, predicted, [score, surprise, novelty], forecast));
        _previousOneStep = current ? latest!.NextStep : float.NaN;
        _previousStep = step;
    }

    private void ForecastBaselines(Series series, long step)
    {
        series.CopyHistory(step, _history);
        for (int b = 0; b < _baselines.Length; b++)
        {
            if (!_baselines[b].TryForecast(_history, _horizons, _baselineForecasts))
                continue;
            for (int h = 0; h < _horizons.Length; h++)
                _pending[(b + 1, h, step + _horizons[h])] = (_baselineForecasts[h], float.NaN, float.NaN);
        }
        if (_fitted.TryForecast(series, step, _horizons, _baselineForecasts))
        {
            for (int h = 0; h < _horizons.Length; h++)
                _pending[(_baselines.Length + 1, h, step + _horizons[h])] = (_baselineForecasts[h], float.NaN, float.NaN);
        }
    }

    /// <summary>Each member's median forecast for <paramref name="step"/> into the scratch span, when all have one.</summary>
    private bool Gather(int[] members, int horizon, long step)
    {
        for (int i = 0; i < members.Length; i++)
        {
            if (!_pending.TryGetValue((members[i], horizon, step), out var forecast))
                return false;
            _memberForecasts[i] = forecast.Median;
        }
        return true;
    }

    /// <summary>
    /// Scores the forecasts made for <paramref name="step"/>, only where every model made one, so all
    /// models are compared on the same outcomes.
    /// </summary>
    private void Score(long step, float actual)
    {
        int models = Accuracy.Models.Count;
        for (int h = 0; h < _horizons.Length; h++)
        {
            bool all = true;
            for (int m = 0; m < models && all; m++)
                all = _pending.ContainsKey((m, h, step));
            if (all && !float.IsNaN(actual))
            {
                for (int m = 0; m < models; m++)
                {
                    var (median, lower, upper) = _pending[(m, h, step)];
                    Accuracy.AddPoint(m, h, actual, median);
                    if (!float.IsNaN(lower))
                        Accuracy.AddInterval(m, h, actual, lower, upper);
                }
            }
            for (int m = 0; m < models; m++)
                _pending.Remove((m, h, step));
        }
    }

    private string Row(long timestampMs, float value, float predicted, double[] anomaly, float[]? forecast)
    {
        var invariant = CultureInfo.InvariantCulture;
        static string Cell(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
        string time = DateTimeOffset.FromUnixTimeMilliseconds(timestampMs).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", invariant);
        var line = new System.Text.StringBuilder();
        line.Append(time).Append(',').Append(Cell(value)).Append(',').Append(Cell(predicted));
        foreach (double a in anomaly)
            line.Append(',').Append(Cell(a));
        for (int h = 0; h < _horizons.Length; h++)
        {
            if (forecast is null)
                line.Append(",,,");
            else
                line.Append(',').Append(Cell(forecast[h * 3 + 1])).Append(',').Append(Cell(forecast[h * 3])).Append(',').Append(Cell(forecast[h * 3 + 2]));
        }
        return line.ToString();
    }
}
