using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>predicted_threshold_crossing_seconds from a trained model, on a disk filling at a steady rate.</summary>
public sealed class CapacityPlanningTests
{
    private static async Task<string> ScrapeAfterTraining(double threshold)
    {
        var settings = TestSettings.SmallTarget(selector: "disk_used_percent", horizons: "[2s, 5s, 8s]", extraModel: $"    capacity:\n      threshold: {threshold.ToString(CultureInfo.InvariantCulture)}\n      direction: above\n");
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new SeriesStore(settings, time);
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 400_000;
        // 0.1 per second: from 10 to 39.9 over 300 s.
        var disk = WriteRequests.Series("disk_used_percent", ("instance", "a"));
        for (int i = 0; i < 300; i++)
            disk.With((t0 + i * 1000L, 10 + 0.1 * i));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(disk));
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        pipeline.Publish(Trainer.Train(TrainingData.From(store.Targets[0]), settings.Targets[0].Model with { MaxEpochs = 15 }, "h", null, CancellationToken.None).Model);
        pipeline.Process();
        return await RegistryText.ScrapeAsync(registry);
    }

    [Fact]
    public async Task ASteadyFillIsForecastToCrossWhenTheTrendSays()
    {
        // 39.9 now and rising 0.1/s: 40.5 is 6 s away.
        string text = await ScrapeAfterTraining(40.5);
        var median = Regex.Match(text, "predicted_threshold_crossing_seconds\\{instance=\"a\",metric=\"disk_used_percent\",target=\"t\",quantile=\"0.5\"\\} (\\S+)");
        Assert.True(median.Success, text);
        Assert.InRange(double.Parse(median.Groups[1].Value, CultureInfo.InvariantCulture), 4, 8);
        // The pessimistic path (the upper edge) crosses no later than the median one.
        var upper = Regex.Match(text, "predicted_threshold_crossing_seconds\\{[^}]*quantile=\"0.95\"\\} (\\S+)");
        Assert.True(upper.Success);
        Assert.True(double.Parse(upper.Groups[1].Value, CultureInfo.InvariantCulture) <= double.Parse(median.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task NoCrossingWithinTheLongestHorizonIsNoSeries()
    {
        string text = await ScrapeAfterTraining(1000);
        Assert.Contains("predicted_value{instance=\"a\"", text);
        Assert.DoesNotContain("predicted_threshold_crossing_seconds{", text);
    }
}
