using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>The published band follows each series' own misses: a model trained on calm data still keeps its promise once the series turns noisy.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class AdaptiveIntervalPipelineTests
{
    [Fact]
    public void TheBandWidensUntilItHoldsItsShareOfOutcomesAgain()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new SeriesStore(TestSettings.SmallTarget(), time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        var random = new Random(9);
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 250_000;
        void Write(int i, double value) =>
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((t0 + i * 1000L, value))));
        double Calm(int i) => 50 + 10 * Math.Sin(i / 5.0) + 0.1 * random.NextDouble();
        for (int i = 0; i < 250; i++)
            Write(i, Calm(i));
        var target = store.Targets[0];
        pipeline.Publish(Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model);
        pipeline.Process();

        // Then the series turns noisy: errors far beyond anything the model was calibrated on.
        var published = new Dictionary<long, (float Lower, float Upper)>();
        int covered = 0, judged = 0;
        long firstStep = t0 / 1000;
        for (int i = 250; i < 750; i++)
        {
            double value = 50 + 10 * Math.Sin(i / 5.0) + (random.NextDouble() * 30 - 15);
            Write(i, value);
            time.Advance(TimeSpan.FromSeconds(1));
            pipeline.Process();
            // The step before i closed now; its outcome is the value written for it.
            long closed = firstStep + i - 1;
            if (published.Remove(closed, out var band) && i >= 500)
            {
                judged++;
                float actual = store.Targets[0].Snapshot().Single().CopyHistoryAt(closed);
                covered += actual >= band.Lower && actual <= band.Upper ? 1 : 0;
            }
            var latest = pipeline.Latest(store.Targets[0].Snapshot().Single());
            if (latest?.Horizons is { } forecast && latest.Model == TargetPipeline.LstmModelName)
                published[latest.Step + 2] = (forecast[0], forecast[2]); // the 2s horizon: lower, median, upper
        }
        Assert.True(judged > 200, $"only {judged} outcomes judged");
        Assert.InRange(covered / (double)judged, 0.84, 0.96);
    }

    [Fact]
    public void AModelOfTheMedianAloneForecastsWithABandThatStaysOnItsMedian()
    {
        // model.quantiles: [0.5] is valid config: the band has no width, so its interval promises nothing
        // (a miss rate of 1) and its stretch never moves; the pipeline must still forecast and score.
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new SeriesStore(TestSettings.SmallTarget(extraModel: "      quantiles: [0.5]\n"), time);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 250_000;
        void Write(int i) =>
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("instance", "a")).With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)))));
        for (int i = 0; i < 250; i++)
            Write(i);
        var target = store.Targets[0];
        pipeline.Publish(Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model);
        pipeline.Process();
        for (int i = 250; i < 270; i++)
        {
            Write(i);
            time.Advance(TimeSpan.FromSeconds(1));
            pipeline.Process();
        }

        var latest = pipeline.Latest(target.Snapshot().Single())!;
        Assert.Equal(TargetPipeline.LstmModelName, latest.Model);
        float[] horizons = latest.Horizons!;
        for (int h = 0; h < horizons.Length / 3; h++)
        {
            Assert.False(float.IsNaN(horizons[h * 3 + 1]));
            Assert.Equal(horizons[h * 3 + 1], horizons[h * 3]);
            Assert.Equal(horizons[h * 3 + 1], horizons[h * 3 + 2]);
        }
    }
}
