using Microsoft.Extensions.Logging;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// A target whose history can't make a training run succeed (enough steps, but the newest fifth mostly a
/// gap, as on a coarse step or after an outage) waits for data: no failed runs, the reason shown, one log line.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class TrainingWaitTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public async Task ATargetWhoseValidationPartIsAGapWaitsInsteadOfFailingThenTrainsOnceDataArrives()
    {
        var time = new ManualTimeProvider(Start);
        var store = new SeriesStore(TestSettings.SmallTarget(), time);
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        using var scheduler = new TrainingScheduler([pipeline], null, metrics, time, loggers.CreateLogger("training"));

        // 100 one-second samples, then 40 s of silence and one sample: 141 closed steps (min_history is 90),
        // whose validation part (the newest 20 %) holds no observed targets.
        long t0 = Start.ToUnixTimeMilliseconds() - 142_000;
        void Write(int from, int to) => WriteSeconds(store, t0, from, to);
        Write(0, 100);
        Write(140, 142);
        for (int check = 0; check < 3; check++)
        {
            Assert.Equal(0, scheduler.RunDue(CancellationToken.None));
            time.Advance(TimeSpan.FromSeconds(31));
        }
        var view = pipeline.Training.View;
        Assert.Equal(TrainingPhase.Waiting, view.Phase);
        Assert.Null(view.LastResult);
        Assert.Contains("validation part", view.WaitingFor);
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("forecast_sidecar_training_waiting_for_data{target=\"t\"} 1", text);
        Assert.DoesNotContain("result=\"failure\"", text);
        Assert.Single(log.Text.Split('\n'), l => l.Contains("waits to train", StringComparison.Ordinal));
        // The web UI's target card says why.
        var targetView = new Sidecar.Api.TargetView("t", "test_metric", TimeSpan.FromSeconds(1), ["2s", "5s"], 1, 0, null, "target", view, []);
        string html = Sidecar.Web.TargetsPage.Render([targetView]);
        Assert.Contains("<p class=\"waiting-for\">waiting for data: training needs observed targets in both parts", html);
        // And so does the gRPC API's model status.
        Assert.StartsWith("waiting for data: training needs observed targets in both parts", Sidecar.Api.Grpc.GrpcMessages.ToMessage(targetView).Model.WaitingFor);

        // Data fills the newest part: the next check trains.
        Write(142, 200);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(1, scheduler.RunDue(CancellationToken.None));
        Assert.Null(pipeline.Training.View.WaitingFor);
        Assert.Equal("", Sidecar.Api.Grpc.GrpcMessages.ToMessage(targetView with { Training = pipeline.Training.View }).Model.WaitingFor);
        Assert.Contains("forecast_sidecar_training_waiting_for_data{target=\"t\"} 0", await RegistryText.ScrapeAsync(registry));
    }

    [Fact]
    public void WithNoSeriesAtMinHistoryTheTargetIsLookedAtAgainAStepLaterNotAtEveryPass()
    {
        var time = new ManualTimeProvider(Start);
        var store = new SeriesStore(TestSettings.SmallTarget(), time);
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var scheduler = new TrainingScheduler([pipeline], null, metrics, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        long t0 = Start.ToUnixTimeMilliseconds() - 200_000;
        void Write(int from, int to) => WriteSeconds(store, t0, from, to);
        // 50 closed steps of the 90 min_history asks for: nothing to train on.
        Write(0, 50);
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));
        // A backfill brings the rest at once: the passes within the step don't look (each read every series).
        Write(50, 150);
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));
        // A step (1 s) after the first look, the target trains.
        time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(1, scheduler.RunDue(CancellationToken.None));
    }

    // One-second samples of one series, from `from` to `to` (exclusive) seconds after t0, in one remote-write request.
    private static void WriteSeconds(SeriesStore store, long t0, int from, int to)
    {
        var series = WriteRequests.Series("test_metric", ("instance", "a"));
        for (int i = from; i < to; i++)
            series.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
    }
}
