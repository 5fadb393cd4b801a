using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary><c>model.scope: series</c>: one model per series, each trained on its own history, saved and loaded on its own.</summary>
public sealed class PerSeriesScopeTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("per-series-").FullName;

    [Fact]
    public async Task EachSeriesGetsItsOwnModelWhichSurvivesARestart()
    {
        var settings = TestSettings.SmallTarget(extraModel: "      scope: series\n");
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 300_000;
        SeriesStore Fill()
        {
            var store = new SeriesStore(settings, time);
            var sine = WriteRequests.Series("test_metric", ("instance", "sine"));
            var saw = WriteRequests.Series("test_metric", ("instance", "saw"));
            for (int i = 0; i < 250; i++)
            {
                sine.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
                saw.With((t0 + i * 1000L, i % 13));
            }
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(sine, saw));
            return store;
        }
        async Task<string> Run(SeriesStore store, bool train)
        {
            var registry = Metrics.NewCustomRegistry();
            var metrics = new SelfMetrics(registry);
            using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, NullLogger.Instance);
            using var scheduler = new TrainingScheduler([pipeline], _directory, metrics, time, NullLogger.Instance);
            scheduler.LoadSaved();
            Assert.Equal(train ? 2 : 0, scheduler.RunDue(CancellationToken.None));
            pipeline.Process();
            return await RegistryText.ScrapeAsync(registry);
        }

        string first = await Run(Fill(), train: true);
        Assert.Contains("predicted_value{instance=\"sine\",metric=\"test_metric\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", first);
        Assert.Contains("predicted_value{instance=\"saw\",metric=\"test_metric\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", first);
        string[] files = Directory.GetFiles(ModelFile.SeriesDirectory(_directory, "t"), "*.model");
        Assert.Equal(2, files.Length);
        var keys = files.Select(f => { using var m = ModelFile.Read(f); return Assert.Single(m.Description.Scalers).Key; }).Order().ToArray();
        Assert.Equal(["test_metric{instance=\"saw\"}", "test_metric{instance=\"sine\"}"], keys);

        // A restart within fit_every: both models load, nothing trains, both series are forecast.
        string second = await Run(Fill(), train: false);
        Assert.Contains("predicted_value{instance=\"sine\",metric=\"test_metric\",target=\"t\",horizon=\"5s\",model=\"lstm\"}", second);
        Assert.Contains("predicted_value{instance=\"saw\",metric=\"test_metric\",target=\"t\",horizon=\"5s\",model=\"lstm\"}", second);
    }

    [Fact]
    public async Task AForgottenSeriesLosesItsModelAndItsModelFile()
    {
        // forget_after defaults to the history, 10m.
        var settings = TestSettings.SmallTarget(extraModel: "      scope: series\n");
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 300_000;
        var store = new SeriesStore(settings, time);
        var sine = WriteRequests.Series("test_metric", ("instance", "sine"));
        for (int i = 0; i < 250; i++)
            sine.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(sine));
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, NullLogger.Instance);
        using var scheduler = new TrainingScheduler([pipeline], _directory, metrics, time, NullLogger.Instance);
        Assert.Equal(1, scheduler.RunDue(CancellationToken.None));
        pipeline.Process();
        Assert.Single(Directory.GetFiles(ModelFile.SeriesDirectory(_directory, "t"), "*.model"));

        time.Advance(TimeSpan.FromMinutes(11));
        Assert.Equal(1, store.ForgetSilent().Single().Forgotten);
        pipeline.Process();
        scheduler.RunDue(CancellationToken.None);
        Assert.Empty(Directory.GetFiles(ModelFile.SeriesDirectory(_directory, "t"), "*.model"));
        Assert.DoesNotContain("instance=\"sine\"", await RegistryText.ScrapeAsync(registry));
    }

    [Fact]
    public void APassWithNoSeriesJoiningOrForgottenCopiesNothingOfTheTarget()
    {
        // Each pass (one a second) used to copy the target's series and build a set of every one's key, to find
        // models of forgotten series: garbage in proportion to the target's size, with nothing forgotten.
        var settings = TestSettings.SmallTarget(extraModel: "      scope: series\n");
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 10_000;
        var store = new SeriesStore(settings, time);
        var request = Enumerable.Range(0, 500).Select(i => WriteRequests.Series("test_metric", ("instance", $"host-{i}"))
            .With((t0, i), (t0 + 1000, i + 1), (t0 + 2000, i + 2))).ToArray();
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(request));
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, NullLogger.Instance);
        using var scheduler = new TrainingScheduler([pipeline], _directory, metrics, time, NullLogger.Instance);
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None)); // no series has min_history
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));

        long before = GC.GetAllocatedBytesForCurrentThread();
        scheduler.RunDue(CancellationToken.None);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        // A copy of the 500 series alone is 4 KB, the set of their keys several times that.
        Assert.True(allocated < 1024, $"a pass over 500 unchanged series allocated {allocated} bytes");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
