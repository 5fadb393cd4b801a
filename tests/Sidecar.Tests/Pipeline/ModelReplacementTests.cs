using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// How a training run's outcome is judged: a new model replaces the one in use only if it is no worse on
/// the same validation data, and a run that throws is counted and reported as a failure (what the
/// ForecastSidecarTrainingFailing alert watches).
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class ModelReplacementTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("model-replacement-").FullName;

    [Fact]
    public async Task ANewModelWorseThanTheOneInUseIsRefusedAndTheOldOneKeepsServing()
    {
        // The serving config trains for one epoch; epochs are not part of a model's fingerprint, so a model
        // trained for forty under the same settings is a valid model in use, and a much better one.
        var settings = TestSettings.SmallTarget();
        var target = settings.Targets[0];
        var quick = settings with { Targets = [target with { Model = target.Model with { MaxEpochs = 1 } }] };
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 300_000;
        var store = new SeriesStore(quick, time);
        var sine = WriteRequests.Series("test_metric", ("instance", "sine"));
        for (int i = 0; i < 290; i++)
            sine.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(sine));

        string path = ModelFile.PathFor(_directory, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var strong = Trainer.Train(TrainingData.From(store.Targets[0]), target.Model with { MaxEpochs = 40, Patience = 40 },
            ModelConfigHash.Compute(store.Targets[0].Settings), null, CancellationToken.None).Model)
        {
            ModelFile.Write(path, strong);
        }
        byte[] saved = await File.ReadAllBytesAsync(path);

        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, NullLogger.Instance);
        using var scheduler = new TrainingScheduler([pipeline], _directory, metrics, time, NullLogger.Instance);
        scheduler.LoadSaved();
        DateTimeOffset? inUse = pipeline.Training.View.ModelTrainedAt;
        Assert.NotNull(inUse);

        pipeline.Training.RequestRetrain();
        Assert.Equal(1, scheduler.RunDue(CancellationToken.None));
        var view = pipeline.Training.View;
        Assert.Equal(SelfMetrics.TrainingResult.Kept, view.LastResult);
        Assert.Equal(inUse, view.ModelTrainedAt);
        Assert.Equal(saved, await File.ReadAllBytesAsync(path)); // the file of the model in use is not replaced either
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("forecast_sidecar_training_runs_total{target=\"t\",result=\"kept_previous\"} 1", text);
        Assert.DoesNotContain("result=\"success\"", text);
    }

    [Fact]
    public async Task ARunThatThrowsIsCountedAsAFailureWithItsReasonAndRetriedSoon()
    {
        var settings = TestSettings.SmallTarget();
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 300_000;
        SeriesStore Filled(SidecarSettings with)
        {
            var store = new SeriesStore(with, time);
            var sine = WriteRequests.Series("test_metric", ("instance", "sine"));
            for (int i = 0; i < 290; i++)
                sine.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(sine));
            return store;
        }
        var store = Filled(settings);
        // A saved model under this config's fingerprint whose network reads other inputs (no calendar
        // features), as a file from a broken build would: judging it against a new run throws.
        var target = settings.Targets[0];
        var otherInputs = settings with { Targets = [target with { Model = target.Model with { Features = target.Model.Features with { Calendar = false } } }] };
        string path = ModelFile.PathFor(_directory, "t");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (var mismatched = Trainer.Train(TrainingData.From(Filled(otherInputs).Targets[0]), otherInputs.Targets[0].Model,
            ModelConfigHash.Compute(target), null, CancellationToken.None).Model)
        {
            ModelFile.Write(path, mismatched);
        }

        var registry = Metrics.NewCustomRegistry();
        var metrics = new SelfMetrics(registry);
        var log = new CapturedLog();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), metrics, time, NullLogger.Instance);
        using var scheduler = new TrainingScheduler([pipeline], _directory, metrics, time, loggers.CreateLogger("training"));
        scheduler.LoadSaved();
        pipeline.Training.RequestRetrain();
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));

        var view = pipeline.Training.View;
        Assert.Equal(SelfMetrics.TrainingResult.Failure, view.LastResult);
        Assert.False(string.IsNullOrEmpty(view.LastError));
        Assert.Contains("forecast_sidecar_training_runs_total{target=\"t\",result=\"failure\"} 1", await RegistryText.ScrapeAsync(registry));
        Assert.Contains("Training target t failed", log.Text);
        // Retried 30 s later, not at the next fit_every.
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(0, scheduler.RunDue(CancellationToken.None));
        Assert.Contains("forecast_sidecar_training_runs_total{target=\"t\",result=\"failure\"} 2", await RegistryText.ScrapeAsync(registry));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
