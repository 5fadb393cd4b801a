using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Api;
using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Api;

/// <summary>The read side the gRPC API and the web UI share, on a real store, pipeline and trained model.</summary>
public sealed class SidecarQueriesTests : IDisposable
{
    private const int Samples = 250;
    private readonly ManualTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
    private readonly long _t0;
    private readonly SeriesStore _store;
    private readonly SelfMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly TargetPipeline _pipeline;
    private readonly TrainingScheduler _scheduler;
    private readonly SidecarQueries _queries;

    public SidecarQueriesTests()
    {
        // The only anomaly these tests make is a spike to 5000 on a sine between 40 and 60: residuals under
        // 20 % of the value never count, so how well the tiny model fits the sine doesn't decide which step is first.
        var settings = TestSettings.SmallTarget(extraModel: "    anomaly:\n      surprise_window: 40s\n      min_relative_deviation: 0.2\n");
        _t0 = _time.GetUtcNow().ToUnixTimeMilliseconds() - Samples * 1000L;
        _store = new SeriesStore(settings, _time);
        var sine = WriteRequests.Series("test_metric", ("instance", "sine"));
        var saw = WriteRequests.Series("test_metric", ("instance", "saw"));
        for (int i = 0; i < Samples; i++)
        {
            sine.With((_t0 + i * 1000L, Sine(i)));
            saw.With((_t0 + i * 1000L, i % 13));
        }
        RemoteWriteV1Decoder.Ingest(_store, WriteRequests.Encode(sine, saw));
        _pipeline = new TargetPipeline(_store.Targets[0], TestGauges.For(Metrics.NewCustomRegistry()), _metrics, _time, NullLogger.Instance);
        _scheduler = new TrainingScheduler([_pipeline], null, _metrics, _time, NullLogger.Instance);
        _queries = new SidecarQueries(new PipelineSet([_pipeline]), _time);
    }

    private static double Sine(int i) => 50 + 10 * Math.Sin(i / 5.0);

    [Fact]
    public void TargetsShowTrainingStateBeforeAndAfterTheFirstRun()
    {
        var before = Assert.Single(_queries.Targets());
        Assert.Equal("t", before.Name);
        Assert.Equal("test_metric", before.Source);
        Assert.Equal(["2s", "5s"], before.Horizons);
        Assert.Equal(2, before.Series);
        Assert.Equal(TrainingPhase.Waiting, before.Training.Phase);
        Assert.Null(before.Training.ModelTrainedAt);

        Assert.Equal(1, _scheduler.RunDue(CancellationToken.None));
        var after = _queries.Target("t")!;
        Assert.Equal(TrainingPhase.Idle, after.Training.Phase);
        Assert.Equal("success", after.Training.LastResult);
        Assert.Equal(_time.GetUtcNow(), after.Training.LastRunAt);
        Assert.NotNull(after.Training.ModelTrainedAt);
        Assert.True(double.IsFinite(after.Training.ModelValidationLoss));
        Assert.InRange(after.Training.Epoch, 1, after.Training.MaxEpochs);
        Assert.Null(_queries.Target("missing"));
    }

    [Fact]
    public void RetrainRunsATargetThatIsNotDue()
    {
        Assert.Equal(1, _scheduler.RunDue(CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _scheduler.RunDue(CancellationToken.None)); // fit_every is hours away

        Assert.True(_queries.Retrain("t"));
        Assert.True(_queries.Target("t")!.Training.RetrainRequested);
        Assert.Equal(1, _scheduler.RunDue(CancellationToken.None));
        Assert.Equal(_time.GetUtcNow(), _queries.Target("t")!.Training.LastRunAt);
        Assert.False(_queries.Target("t")!.Training.RetrainRequested);
        Assert.Equal(0, _scheduler.RunDue(CancellationToken.None)); // once per request
        Assert.False(_queries.Retrain("missing"));
    }

    [Fact]
    public void SeriesAreFilteredBySelectorAndSearchAndLimited()
    {
        var bySelector = _queries.Series("t", SelectorParser.Parse("{instance=\"sine\"}"), null, 10, out int selected);
        Assert.Equal(1, selected);
        Assert.Equal("test_metric{instance=\"sine\"}", Assert.Single(bySelector).Labels.ToString());

        var bySearch = _queries.Series(null, null, "SAW", 10, out int searched);
        Assert.Equal(1, searched);
        Assert.Equal("saw", Assert.Single(bySearch).Labels.Get("instance"));

        var limited = _queries.Series(null, null, null, 1, out int total);
        Assert.Equal(2, total);
        Assert.Equal("saw", Assert.Single(limited).Labels.Get("instance")); // label order: saw before sine
        Assert.Empty(_queries.Series("other", null, null, 10, out _));
    }

    [Fact]
    public void DetailHasTheWrittenHistoryAndEachHorizonsForecast()
    {
        _scheduler.RunDue(CancellationToken.None);
        _pipeline.Process();
        var detail = _queries.Series("t", "test_metric{instance=\"sine\"}", historySteps: 50)!;

        Assert.Equal(50, detail.History.Count);
        long lastStep = _store.Targets[0].Snapshot().Single(s => s.Labels.Get("instance") == "sine").LastClosedStep;
        for (int i = 0; i < 50; i++)
        {
            long stepMs = (lastStep - 49 + i) * 1000;
            Assert.Equal(stepMs, detail.History[i].TimeMs);
            Assert.Equal((float)Sine((int)((stepMs - _t0) / 1000)), detail.History[i].Value);
        }
        Assert.Equal("lstm", detail.Series.Model);
        Assert.Equal([("2s", 2), ("5s", 5)], detail.Forecasts.Select(f => (f.Horizon, (int)((f.TimeMs - lastStep * 1000) / 1000))));
        Assert.All(detail.Forecasts, f => Assert.True(f.Lower <= f.Median && f.Median <= f.Upper, $"{f}"));
        Assert.InRange(detail.Forecasts[0].Median, 30, 70);
        Assert.False(float.IsNaN(detail.NextStep));

        var only = Assert.Single(_queries.Forecasts("t", SelectorParser.Parse("{instance=\"sine\"}"), ["5s"], 10, 10));
        Assert.Equal("5s", Assert.Single(only.Forecasts).Horizon);
        Assert.Equal(10, only.History.Count);
        Assert.Null(_queries.Series("t", "test_metric{instance=\"none\"}", 10));
    }

    [Fact]
    public async Task AnAnomalyIsAnnouncedWhenItStartsAndWhenItEnds()
    {
        var feed = new AnomalyFeed();
        feed.Attach(_pipeline);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var events = new List<AnomalyTransition>();
        var watching = Task.Run(async () =>
        {
            await foreach (var transition in feed.WatchAsync(cancel.Token))
            {
                events.Add(transition);
                if (!transition.Anomalous)
                    return;
            }
        });
        // Bounded: a watcher that never attaches fails the test instead of hanging the run.
        for (var deadline = DateTime.UtcNow.AddSeconds(30); feed.Watchers == 0; await Task.Delay(10))
            Assert.True(DateTime.UtcNow < deadline, "the watcher never attached to the feed");

        _scheduler.RunDue(CancellationToken.None);
        _pipeline.Process();
        // Steady steps past the scorer's warm-up, one spike, then steady steps until the score is back under 1.
        for (int i = Samples; i < Samples + 120 && !watching.IsCompleted; i++)
        {
            double value = i == Samples + 30 ? 5000 : Sine(i);
            var sine = WriteRequests.Series("test_metric", ("instance", "sine")).With((_t0 + i * 1000L, value));
            RemoteWriteV1Decoder.Ingest(_store, WriteRequests.Encode(sine));
            _time.Advance(TimeSpan.FromSeconds(1));
            _pipeline.Process();
            var latest = _pipeline.Latest(_store.Targets[0].Snapshot().Single(s => s.Labels.Get("instance") == "sine"))!;
            // A step is scored once the next sample closes it: the spike's step at i + 1.
            if (i == Samples + 31)
                Assert.True(latest.Surprise > 5, $"surprise {latest.Surprise} at the spike"); // the score's usual level is well below 1 here
            else if (i == Samples + 30)
                Assert.InRange(latest.Surprise, 0, 5);
            await Task.Yield();
        }
        await watching.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(2, events.Count);
        Assert.True(events[0].Anomalous);
        Assert.Equal(_t0 + (Samples + 30) * 1000L, events[0].StepTimeMs);
        Assert.Equal(5000, events[0].Value);
        Assert.True(events[0].Score > 1);
        Assert.False(events[1].Anomalous);
        Assert.True(events[1].Score <= 1);
        Assert.Equal("sine", events[1].Labels.Get("instance"));
        for (var deadline = DateTime.UtcNow.AddSeconds(30); feed.Watchers != 0; await Task.Delay(10))
            Assert.True(DateTime.UtcNow < deadline, "the watcher never left the feed");
    }

    [Fact]
    public async Task ASlowWatcherLosesItsOldestEventsNotMemory()
    {
        var feed = new AnomalyFeed();
        using var cancel = new CancellationTokenSource();
        var enumerator = feed.WatchAsync(cancel.Token).GetAsyncEnumerator(cancel.Token);
        var first = enumerator.MoveNextAsync(); // registers the watcher, then waits for an event
        var labels = new LabelSet([new("__name__", "m")]);
        for (int i = 0; i < AnomalyFeed.WatcherBuffer + 10; i++)
            feed.Publish(new AnomalyTransition("t", labels, true, i, 2, 1, 0));
        // The newest WatcherBuffer events survive, in order; the oldest were dropped (all but the first may
        // have been handed over before the buffer filled).
        Assert.True(await first);
        var received = new List<long> { enumerator.Current.StepTimeMs };
        while (received[^1] != AnomalyFeed.WatcherBuffer + 9)
        {
            Assert.True(await enumerator.MoveNextAsync());
            received.Add(enumerator.Current.StepTimeMs);
        }
        Assert.InRange(feed.Dropped, 9, 10);
        Assert.Equal(AnomalyFeed.WatcherBuffer + 10 - feed.Dropped, received.Count);
        Assert.Equal(received.Order(), received);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await enumerator.MoveNextAsync());
        await enumerator.DisposeAsync();
        Assert.Equal(0, feed.Watchers);
    }

    public void Dispose()
    {
        _scheduler.Dispose();
        _pipeline.Dispose();
    }
}
