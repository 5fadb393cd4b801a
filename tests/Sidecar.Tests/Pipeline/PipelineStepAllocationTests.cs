using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Backtest;
using Sidecar.Bench;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Tests.Support;
using TorchSharp;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The inference loop's steady state is a hot path: once every series is warm, what a step allocates must
/// not grow with the number of series (a few tensor handles per batch are fine; arrays per series are not).
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class PipelineStepAllocationTests
{
    [Fact]
    public void ASteadyStepAllocatesNothingPerSeries()
    {
        long few = BytesPerStep(64), many = BytesPerStep(512);
        // 448 more series: even 8 bytes each would add 3.5 KB.
        Assert.True(many - few < 2048, $"a step allocated {few} bytes for 64 series and {many} for 512");
    }

    /// <returns>The median over 20 steady steps of the bytes <see cref="TargetPipeline.Process"/> allocated on this thread.</returns>
    private static long BytesPerStep(int count)
    {
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            limits:
              max_series: {count + 10}
            targets:
              - name: steady
                selector: 'steady_value'
                step: 1m
                horizons: [5m, 30m]
                history: 1d
            """);
        var time = new SimulatedClock(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new SeriesStore(settings, time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], new ForecastGauges(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        var target = settings.Targets[0];
        long stepMs = target.StepMs;
        long next = time.GetUtcNow().ToUnixTimeMilliseconds() / stepMs - 100;
        var labels = Enumerable.Range(0, count)
            .Select(s => new List<KeyValuePair<string, string>> { new("__name__", "steady_value"), new("instance", "host-" + s.ToString(CultureInfo.InvariantCulture)) })
            .ToArray();
        void WriteStep()
        {
            for (int s = 0; s < count; s++)
                store.Ingest(labels[s], [new SampleValue(next * stepMs, 50 + 10 * Math.Sin(next / 30.0 + s))]);
            time.Set(DateTimeOffset.FromUnixTimeMilliseconds((next + 2) * stepMs));
            next++;
        }
        for (int i = 0; i < 60; i++)
            WriteStep();
        pipeline.Publish(UntrainedModel.For(target, hiddenSize: 8, layers: 1));
        // Warm: every series' state, gauges, interval and scorers exist, and the batch has its steady shape.
        for (int i = 0; i < 30; i++)
        {
            WriteStep();
            pipeline.Process();
        }
        var bytes = new long[20];
        for (int i = 0; i < bytes.Length; i++)
        {
            WriteStep();
            long before = GC.GetAllocatedBytesForCurrentThread();
            pipeline.Process();
            bytes[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Array.Sort(bytes);
        return bytes[bytes.Length / 2];
    }
}
