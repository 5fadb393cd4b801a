using BenchmarkDotNet.Attributes;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Benchmarks.Pipeline;

/// <summary>
/// Some of the inference step's per-series parts on their own, one operation being one steady step of a
/// 1,024-series target at a 1-minute step with the default settings: each series' novelty
/// (<see cref="NoveltyScorer.Observe"/>, after eight days of steps, so every view counts), the same
/// through the target's table as the pipeline scores it (<see cref="Sidecar.Score.NoveltyTable"/>: staged, then
/// four series at once; the same results to the bit), and each
/// series' adaptive intervals at three horizons (the outcomes judged, then the new forecast's bands
/// recorded and its stretches read, as the step's planning and outputs do); the quality ledger (the outcomes
/// judged, then the new forecast recorded, for the 256 series the pipeline follows); each series' anomaly
/// score and its surprise (<see cref="AnomalyScorer"/>, <see cref="ScoreSurprise"/>); and each series' gauges set
/// from its forecast and scores (<see cref="SeriesPublisher.PublishForecast"/>); and each series' combination of
/// the LSTM's median with its Holt-Winters (<see cref="ForecastCombination"/>, as <c>model.combine: holt_winters</c>,
/// on by default at this step, runs once a day's fit is made: the outcome judged, the model fed the step, then
/// each horizon combined). The values are a sine
/// per series, read from a table so the benchmark measures the scoring, not the sine.
/// </summary>
[MemoryDiagnoser]
public class StepScoringBenchmarks
{
    private const int SeriesCount = 1_024;
    private const int DaySteps = 1_440;

    private readonly float[] _sine = [.. Enumerable.Range(0, DaySteps).Select(i => (float)(50 + 10 * Math.Sin(2 * Math.PI * i / DaySteps)))];
    private NoveltyScorer[] _novelty = [];
    private NoveltyTable _noveltyTable = null!;
    private long _tableStep;
    private AdaptiveIntervals _intervals = null!;
    private int _weekSteps;
    private long _step;
    private Series[] _series = [];
    private SeriesState[] _states = [];
    private SeriesPublisher _publisher = null!;
    private ForecastQuality _quality = null!;
    private long _qualityStep;
    private readonly float[] _forecast = new float[9];
    private AnomalySettings _anomaly = null!;
    private AnomalyRates _rates;
    private long _scoreStep;
    private ScoreLanes _scoreLanes;
    private long _laneStep;
    private ForecastCombination[] _combinations = [];
    private long _combinationStep;

    [GlobalSetup]
    public void Setup()
    {
        TargetSettings target = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: node
                selector: '{job="node"}'
                step: 1m
                horizons: [5m, 30m, 1h]
            """).Targets[0];
        NoveltySettings settings = target.Anomaly.Novelty!;
        var store = new TargetStore(target);
        _series = [.. Enumerable.Range(0, SeriesCount).Select(i => store.Add(new LabelSet([new("__name__", "node_load1"), new("instance", $"host-{i}")]), isCounter: false))];
        _states = [.. _series.Select(series => new SeriesState(series) { Forecast = new float[9], LastScore = 0.3, LastSurprise = 0.1, LastNovelty = 0, LastResidual = 0.2 })];
        _publisher = new SeriesPublisher(new ForecastGauges(), target);
        _weekSteps = settings.WeekSteps;
        _anomaly = target.Anomaly;
        _rates = AnomalyRates.Of(_anomaly);
        _scoreLanes = new ScoreLanes(_anomaly, _rates);
        _novelty = [.. Enumerable.Range(0, SeriesCount).Select(_ => new NoveltyScorer(settings))];
        _noveltyTable = new NoveltyTable(settings);
        for (int row = 0; row < SeriesCount; row++)
        {
            var scorer = new NoveltyScorer(settings);
            scorer.Observe(_weekSteps - 1, Value(row, _weekSteps - 1), float.NaN, float.NaN, double.NaN);
            _noveltyTable.CopyIn(scorer, row);
        }
        _intervals = new AdaptiveIntervals(WaitingSchedule.For([5, 30, 60]), missRate: 0.1f, rowsPerTile: 256);
        for (int row = 0; row < SeriesCount; row++)
            _intervals.Start(row);
        // Eight days of steps first (each call moves on one step), from a week in, so a week back is a step too.
        for (_step = _weekSteps; _step < 2 * _weekSteps + 2 * DaySteps;)
        {
            Novelty();
            Intervals();
        }
        for (_tableStep = _weekSteps; _tableStep < 2 * _weekSteps + 2 * DaySteps;)
            NoveltyTable();
        for (_scoreStep = DaySteps; _scoreStep < 3 * DaySteps;)
            Scores();
        for (_laneStep = DaySteps; _laneStep < 3 * DaySteps;)
            ScoresInLanes();
        // The pipeline follows the quality of its first 256 series (TargetPipeline.QualitySampleSeries).
        _quality = new ForecastQuality([5, 30, 60], sampledSeries: 256);
        for (_qualityStep = 0; _qualityStep < 4 * DaySteps;)
            Quality();
        // Each series' Holt-Winters as a day's fit leaves it (the step's arithmetic doesn't depend on its
        // parameters), then two days of steps so every horizon's weights follow their outcomes.
        _combinations = [.. Enumerable.Range(0, SeriesCount).Select(row =>
        {
            var combination = new ForecastCombination([5, 30, 60], DaySteps);
            double[] season = [.. Enumerable.Range(0, DaySteps).Select(i => 10 * Math.Sin(2 * Math.PI * (i + 37 * row) / DaySteps))];
            combination.Adopt(new Model.Baselines.HoltWintersModel(0.2, 0.01, 0.1, 50, 0, season, 0, 0), DaySteps - 1);
            return combination;
        })];
        for (_combinationStep = DaySteps; _combinationStep < 3 * DaySteps;)
            Combinations();
    }

    [Benchmark(Baseline = true, Description = "novelty")]
    public double Novelty()
    {
        double sum = 0;
        long step = _step++;
        for (int s = 0; s < _novelty.Length; s++)
            sum += _novelty[s].Observe(step, Value(s, step), Value(s, step - DaySteps), Value(s, step - _weekSteps), 0.1);
        return sum;
    }

    [Benchmark(Description = "novelty, four series at once (NoveltyTable)")]
    public double NoveltyTable()
    {
        double sum = 0;
        long step = _tableStep++;
        for (int s = 0; s < SeriesCount; s++)
            _noveltyTable.TryStage(s, step, Value(s, step), Value(s, step - DaySteps), Value(s, step - _weekSteps), 0.1);
        _noveltyTable.ObserveStaged();
        for (int s = 0; s < SeriesCount; s++)
            sum += _noveltyTable.Novelty(s);
        return sum;
    }

    [Benchmark(Description = "adaptive intervals, three horizons")]
    public float Intervals()
    {
        float sum = 0;
        long step = _step++;
        // As the step does: every series' outcome staged, judged together, then each one's new forecasts.
        for (int row = 0; row < SeriesCount; row++)
            _intervals.Stage(row, step, Value(row, step));
        _intervals.ObserveStaged();
        for (int row = 0; row < SeriesCount; row++)
        {
            float actual = Value(row, step);
            for (int h = 0; h < 3; h++)
                sum += _intervals.RecordAndStretch(row, h, step, actual, actual - 0.8f, actual + 0.7f);
        }
        return sum;
    }

    [Benchmark(Description = "forecast quality, three horizons, 256 of the series followed")]
    public double Quality()
    {
        long step = _qualityStep++;
        for (int row = 0; row < SeriesCount; row++)
        {
            float actual = Value(row, step);
            _quality.Observe(row, step, actual);
            for (int h = 0; h < 3; h++)
            {
                _forecast[h * 3] = actual - 0.8f;
                _forecast[h * 3 + 1] = actual + 0.1f;
                _forecast[h * 3 + 2] = actual + 0.7f;
            }
            _quality.Record(row, step, _forecast);
        }
        return _quality.MeanAbsoluteError(0);
    }

    [Benchmark(Description = "anomaly score and its surprise")]
    public double Scores()
    {
        double sum = 0;
        long step = _scoreStep++;
        for (int s = 0; s < _states.Length; s++)
        {
            // As the step scores a series: its one-step forecast's residual against its interval's gaps.
            SeriesState state = _states[s];
            float actual = Value(s, step), forecast = Value(s, step - 1);
            double score = state.Scorer.Score(actual - forecast, actual, 0.8f, 0.7f, _anomaly, _rates);
            sum += state.Surprise.Observe(score, _anomaly.SurpriseSteps, _rates.SurpriseAlpha);
        }
        return sum;
    }

    [Benchmark(Description = "anomaly score and its surprise, four series at once (ScoreLanes)")]
    public double ScoresInLanes()
    {
        double sum = 0;
        long step = _laneStep++;
        for (int s = 0; s < _states.Length; s += 4)
        {
            // As the pipeline's ScoreFour gathers four series' inputs, from registers.
            float a0 = Value(s, step), a1 = Value(s + 1, step), a2 = Value(s + 2, step), a3 = Value(s + 3, step);
            SeriesState s0 = _states[s], s1 = _states[s + 1], s2 = _states[s + 2], s3 = _states[s + 3];
            var scores = _scoreLanes.Score(ref s0.Scorer, ref s1.Scorer, ref s2.Scorer, ref s3.Scorer, ref s0.Surprise, ref s1.Surprise, ref s2.Surprise, ref s3.Surprise,
                System.Runtime.Intrinsics.Vector256.Create(a0 - Value(s, step - 1), a1 - Value(s + 1, step - 1), a2 - Value(s + 2, step - 1), a3 - Value(s + 3, step - 1)),
                System.Runtime.Intrinsics.Vector256.Create(a0, a1, a2, a3),
                System.Runtime.Intrinsics.Vector256.Create(0.8), System.Runtime.Intrinsics.Vector256.Create(0.7), out var surprises);
            sum += System.Runtime.Intrinsics.Vector256.Sum(surprises);
        }
        return sum;
    }

    [Benchmark(Description = "gauges set from the forecast and scores")]
    public void Gauges()
    {
        long step = _step++;
        for (int s = 0; s < _series.Length; s++)
        {
            SeriesState state = _states[s];
            float value = Value(s, step);
            for (int i = 0; i < 9; i++)
                state.Forecast![i] = value + i;
            state.LastScore = value / 100;
            _publisher.PublishForecast(_series[s], state, TargetPipeline.LstmModelName);
        }
    }

    [Benchmark(Description = "forecast combination with Holt-Winters, three horizons")]
    public float Combinations()
    {
        float sum = 0;
        long step = _combinationStep++;
        for (int row = 0; row < SeriesCount; row++)
        {
            // As the step does: the outcome judged in the planning loop, then the model fed the step and
            // each horizon's LSTM median (here a little off the value) combined in the outputs' pass.
            ForecastCombination combination = _combinations[row];
            float actual = Value(row, step);
            combination.Observe(step, actual);
            combination.Feed(step, new ReadOnlySpan<float>(in actual));
            for (int h = 0; h < 3; h++)
                sum += combination.Combine(h, step, actual + 0.1f * (h + 1));
        }
        return sum;
    }

    private float Value(int series, long step) => _sine[(int)((step + 37 * series) % DaySteps)];
}
