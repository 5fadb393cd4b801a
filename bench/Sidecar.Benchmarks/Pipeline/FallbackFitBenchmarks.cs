using BenchmarkDotNet.Attributes;
using Sidecar.Host;
using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using Sidecar.Store;

namespace Sidecar.Benchmarks.Pipeline;

/// <summary>
/// The default fallback's work at each step, before a target's first model: predict_linear over six hours
/// (361 steps at a 1m step) for every series. One operation is one step of a 10,000-series target: every
/// series' window moves on by one step, as in production, where each series closes a step a minute. The
/// baseline refits from the whole range (what the fallback did until 2026-12-06); the sliding fit
/// (<see cref="SlidingPredictLinear"/>) moves its sums. The series hold a day of history written first,
/// four samples a step (a 15 s scrape), so the reads decode the same XOR blocks production's do.
/// </summary>
[MemoryDiagnoser]
[InvocationCount(Steps)]
public class FallbackFitBenchmarks
{
    private const int Steps = 256;
    private const int SeriesCount = 10_000;
    private const int RangeSteps = 360;
    private const long StepMs = 60_000;
    private const int HistorySteps = 1_440;

    private Series[] _series = [];
    private SlidingPredictLinear[] _lines = [];
    private readonly PredictLinearForecaster _refit = new(RangeSteps);
    private readonly float[] _window = new float[RangeSteps + 1];
    private readonly int[] _horizons = [1, 5, 30, 60];
    private readonly float[] _forecasts = new float[4];
    private long _step;

    [GlobalSetup]
    public void Setup()
    {
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: node
                selector: '{job="node"}'
                step: 1m
            """).Targets[0];
        var target = new TargetStore(settings);
        var random = new Random(1);
        _series = new Series[SeriesCount];
        for (int i = 0; i < SeriesCount; i++)
        {
            var series = target.Add(new LabelSet([new("__name__", "node_memory_used_bytes"), new("instance", $"host-{i}")]), isCounter: false);
            double level = random.Next(1, 1_000_000);
            for (long step = 0; step < HistorySteps; step++)
            {
                for (int s = 0; s < 4; s++)
                {
                    level = Math.Max(0, level + random.NextDouble() * 100 - 50);
                    series.Append(step * StepMs + s * 15_000, Math.Round(level), step * StepMs);
                }
            }
            series.EndBatch();
            _series[i] = series;
        }
    }

    [IterationSetup]
    public void FromTheStart()
    {
        // Each iteration walks the same steps, far enough in that every window is full.
        _step = RangeSteps + 10;
        _lines = [.. _series.Select(_ => new SlidingPredictLinear(RangeSteps + 1))];
    }

    [Benchmark(Baseline = true, Description = "refit from the whole range")]
    public float Refit()
    {
        float sum = 0;
        foreach (Series series in _series)
        {
            series.CopyHistory(_step, _window);
            if (_refit.TryForecast(_window, _horizons, _forecasts))
                sum += _forecasts[0];
        }
        _step++;
        return sum;
    }

    [Benchmark(Description = "sliding fit")]
    public float Slide()
    {
        float sum = 0;
        for (int i = 0; i < _series.Length; i++)
        {
            SlidingPredictLinear line = _lines[i];
            line.MoveTo(_series[i], _step, _window);
            if (line.TryFit(out double value, out double slope))
                sum += (float)(value + slope);
        }
        _step++;
        return sum;
    }
}
