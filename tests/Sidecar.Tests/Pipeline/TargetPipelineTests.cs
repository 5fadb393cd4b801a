using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Ingest;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

public sealed class TargetPipelineTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    // The history starts this long before Start, one sample a second.
    private const long HistoryMs = 200_000;

    /// <summary>A pipeline over the small test target, its one series (instance a) holding <paramref name="samples"/> seconds of history.</summary>
    private static (SeriesStore Store, CollectorRegistry Registry, TargetPipeline Pipeline, ManualTimeProvider Time) WithHistory(int samples, Func<int, double> value)
    {
        var time = new ManualTimeProvider(Start);
        var store = new SeriesStore(TestSettings.SmallTarget(), time);
        var registry = Metrics.NewCustomRegistry();
        var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        long t = Start.ToUnixTimeMilliseconds() - HistoryMs;
        var history = WriteRequests.Series("test_metric", ("instance", "a"));
        for (int i = 0; i < samples; i++)
            history.With((t + i * 1000L, value(i)));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(history));
        return (store, registry, pipeline, time);
    }

    [Fact]
    public async Task ForecastsAndScoresAppearOnMetricsAfterTraining()
    {
        var (store, registry, pipeline, _) = WithHistory(200, i => 50 + 10 * Math.Sin(i / 5.0));
        long t0 = Start.ToUnixTimeMilliseconds() - HistoryMs;
        pipeline.Process();
        // Before the first model the fallback baseline (predict_linear by default) forecasts, without an interval.
        string before = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("predicted_value{instance=\"a\",metric=\"test_metric\",target=\"t\",horizon=\"2s\",model=\"predict_linear\"}", before);
        Assert.DoesNotContain("predicted_upper{", before);
        Assert.DoesNotContain("model=\"lstm\"", before);

        TrainAndPublish(store, pipeline);

        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((t0 + 200_000, 50))));
        pipeline.Process();
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("predicted_value{instance=\"a\",metric=\"test_metric\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", text);
        Assert.Contains("predicted_value{instance=\"a\",metric=\"test_metric\",target=\"t\",horizon=\"5s\",model=\"lstm\"}", text);
        Assert.Contains("anomaly_score{instance=\"a\",metric=\"test_metric\",target=\"t\"}", text);
        Assert.Contains("residual{instance=\"a\",metric=\"test_metric\",target=\"t\"}", text);
        Assert.Contains("predicted_upper{instance=\"a\",metric=\"test_metric\",target=\"t\",horizon=\"5s\",model=\"lstm\"}", text);
        // The LSTM took over: the baseline's series are gone, so Prometheus marks them stale.
        Assert.DoesNotContain("model=\"predict_linear\"", text);
    }

    [Fact]
    public async Task AStaleMarkerOrSilenceRemovesTheGaugesAndNewDataBringsThemBack()
    {
        var (store, registry, pipeline, time) = WithHistory(200, i => 10 + (i % 7));
        long t = Start.ToUnixTimeMilliseconds() - HistoryMs;
        TrainAndPublish(store, pipeline);

        void Write(long at, double value) =>
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((at, value))));

        Write(t + 200_000, 12);
        pipeline.Process();
        Assert.Contains("anomaly_score{instance=\"a\"", await RegistryText.ScrapeAsync(registry));

        Write(t + 201_000, Sidecar.Protocol.StaleMarker.Value);
        pipeline.Process();
        Assert.DoesNotContain("anomaly_score{instance=\"a\"", await RegistryText.ScrapeAsync(registry));

        Write(t + 202_000, 12);
        Write(t + 203_000, 13);
        pipeline.Process();
        Assert.Contains("anomaly_score{instance=\"a\"", await RegistryText.ScrapeAsync(registry));

        // Silence: series_timeout_steps is 5 one-second steps.
        time.Advance(TimeSpan.FromSeconds(6));
        pipeline.Process();
        Assert.DoesNotContain("predicted_value{instance=\"a\"", await RegistryText.ScrapeAsync(registry));
        Assert.Equal(0, pipeline.ExposedCount);
    }

    [Fact]
    public async Task ASilentSeriesIsHiddenAtItsTimeoutEvenWhenAStepClosedByTimeIsProcessedInThatPass()
    {
        var (store, registry, pipeline, time) = WithHistory(201, i => 10 + (i % 7));
        TrainAndPublish(store, pipeline);
        pipeline.Process();
        Assert.Contains("predicted_value{instance=\"a\"", await RegistryText.ScrapeAsync(registry));

        // Silent for 2 of the 5 steps' timeout: the sweep queues the steps that closed by time. At 6, the
        // pass that processes them must still see the silence and hide the series.
        time.Advance(TimeSpan.FromSeconds(2));
        pipeline.Process();
        Assert.Contains("predicted_value{instance=\"a\"", await RegistryText.ScrapeAsync(registry));
        time.Advance(TimeSpan.FromSeconds(4));
        pipeline.Process();

        Assert.DoesNotContain("predicted_value{instance=\"a\"", await RegistryText.ScrapeAsync(registry));
        Assert.Equal(0, pipeline.ExposedCount);
    }

    private static void TrainAndPublish(SeriesStore store, TargetPipeline pipeline)
    {
        var target = store.Targets[0];
        pipeline.Publish(Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model);
    }
}
