using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Backtest;
using Sidecar.Bench;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using TorchSharp;

namespace Sidecar.Tests.Support;

/// <summary>
/// One target of <c>count</c> sine-shaped series at a 1m step, an hour of history written, a pipeline over
/// it on a simulated clock and an untrained network of the target's shape (seeded, so two instances get the
/// same weights; use it in <see cref="TorchRandomCollection"/>). <see cref="Step"/> writes the next step of
/// every series and processes it.
/// </summary>
internal sealed class SteppedTarget : IDisposable
{
    private readonly SimulatedClock _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly SeriesStore _store;
    private readonly List<KeyValuePair<string, string>>[] _labels;
    private readonly long _stepMs;
    private readonly Func<int, long, double> _value;
    private long _next;

    /// <param name="anomaly">The target's <c>anomaly</c> settings, as YAML lines under it; the defaults when empty.</param>
    /// <param name="value">Series <c>s</c>'s value at step <c>t</c>; a sine of its own phase and level when null.</param>
    public SteppedTarget(int count, int hiddenSize = 8, Action<TargetPipeline>? configure = null, string anomaly = "", Func<int, long, double>? value = null)
    {
        _value = value ?? ((s, t) => 50 + 10 * Math.Sin(t / 7.0 + s) + s);
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            limits:
              max_series: {count + 10}
            targets:
              - name: stepped
                selector: 'stepped_value'
                step: 1m
                horizons: [5m, 30m]
                history: 1d
            {(anomaly.Length == 0 ? "" : "    anomaly:\n" + string.Join('\n', anomaly.Split('\n').Select(line => "      " + line)))}
            """);
        var target = settings.Targets[0];
        _store = new SeriesStore(settings, _time);
        var registry = Metrics.NewCustomRegistry();
        Pipeline = new TargetPipeline(_store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), _time, NullLogger.Instance);
        configure?.Invoke(Pipeline);
        _stepMs = target.StepMs;
        _next = _time.GetUtcNow().ToUnixTimeMilliseconds() / _stepMs - 100;
        _labels = [.. Enumerable.Range(0, count)
            .Select(s => new List<KeyValuePair<string, string>> { new("__name__", "stepped_value"), new("instance", "host-" + s.ToString(CultureInfo.InvariantCulture)) })];
        for (int i = 0; i < 60; i++)
            Write();
        torch.manual_seed(3);
        Pipeline.Publish(UntrainedModel.For(target, hiddenSize, layers: 1));
    }

    public TargetPipeline Pipeline { get; }

    /// <summary>The simulated clock's time, in Unix milliseconds.</summary>
    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Writes the next step of every series without processing it.</summary>
    public void Write()
    {
        for (int s = 0; s < _labels.Length; s++)
            _store.Ingest(_labels[s], [new SampleValue(_next * _stepMs, _value(s, _next))]);
        _time.Set(DateTimeOffset.FromUnixTimeMilliseconds((_next + 2) * _stepMs));
        _next++;
    }

    /// <summary>Writes the next step of every series and processes it.</summary>
    public void Step()
    {
        Write();
        Pipeline.Process();
    }

    /// <summary>The target's series, in label order.</summary>
    public Series[] Series() => [.. _store.Targets[0].Snapshot().OrderBy(s => s.Labels.ToString(), StringComparer.Ordinal)];

    /// <summary>Every series' latest output, in label order.</summary>
    public IEnumerable<SeriesForecast> Forecasts() => Series().Select(s => Pipeline.Latest(s)!);

    public void Dispose() => Pipeline.Dispose();
}
