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

/// <summary>Forecasts stay in the series' domain, and the fallback waits for enough data to fit.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class ForecastDomainTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    private sealed class Harness
    {
        public Harness(string extraModel = "")
        {
            Time = new ManualTimeProvider(Start);
            Store = new SeriesStore(TestSettings.SmallTarget(extraModel: extraModel), Time);
            Registry = Metrics.NewCustomRegistry();
            Pipeline = new TargetPipeline(Store.Targets[0], TestGauges.For(Registry), new SelfMetrics(Registry), Time, NullLogger.Instance);
        }

        public ManualTimeProvider Time { get; }

        public SeriesStore Store { get; }

        public CollectorRegistry Registry { get; }

        public TargetPipeline Pipeline { get; }

        /// <summary>Writes one sample a second, ending one second before the clock, and processes the step.</summary>
        public void Write(int count, Func<int, double> value, int from = 0)
        {
            long t0 = Start.ToUnixTimeMilliseconds() - 200_000;
            var series = WriteRequests.Series("test_metric", ("instance", "a"));
            for (int i = from; i < from + count; i++)
                series.With((t0 + i * 1000L, value(i)));
            RemoteWriteV1Decoder.Ingest(Store, WriteRequests.Encode(series));
            Pipeline.Process();
        }

        public void Train()
        {
            var target = Store.Targets[0];
            Pipeline.Publish(Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model);
        }

        /// <summary>Every forecast gauge's value, by gauge name.</summary>
        public async Task<List<(string Gauge, double Value)>> ForecastsAsync()
        {
            string text = await RegistryText.ScrapeAsync(Registry);
            return [.. Regex.Matches(text, @"(?m)^(predicted_value|predicted_lower|predicted_upper)\{[^}]*\} (\S+)$")
                .Select(m => (m.Groups[1].Value, double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)))];
        }
    }

    // Falls by one a step to 1 at step 199: any line or network that follows it goes below zero within 5 s.
    private static double Falling(int i) => 200 - i;

    [Fact]
    public async Task AFallingSeriesThatWasNeverNegativeIsNeverForecastBelowZero()
    {
        var harness = new Harness();
        harness.Write(200, Falling);
        var fallback = await harness.ForecastsAsync();
        Assert.Contains(fallback, f => f.Gauge == "predicted_value");
        Assert.All(fallback, f => Assert.True(f.Value >= 0, $"{f.Gauge} {f.Value} from the fallback"));
        Assert.Contains(fallback, f => f.Value == 0); // predict_linear reached zero and stopped there

        harness.Train();
        harness.Write(1, _ => 0.5, from: 200);
        var lstm = await harness.ForecastsAsync();
        Assert.Contains(lstm, f => f.Gauge == "predicted_lower");
        Assert.All(lstm, f => Assert.True(f.Value >= 0, $"{f.Gauge} {f.Value} from the LSTM"));
    }

    [Fact]
    public async Task ASeriesThatWasNegativeIsForecastBelowZero()
    {
        var harness = new Harness();
        harness.Write(200, i => Falling(i) - 50);
        var forecasts = await harness.ForecastsAsync();
        Assert.Contains(forecasts, f => f.Gauge == "predicted_value" && f.Value < -50);
    }

    [Fact]
    public async Task TheFallbackWaitsUntilHalfItsRangeHoldsData()
    {
        // fallback_range is 2m in the test settings: 120 one-second steps, so 60 must hold data.
        var harness = new Harness();
        harness.Write(40, Falling);
        Assert.Empty(await harness.ForecastsAsync());
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        harness.Write(30, Falling, from: 40);
        Assert.Contains(await harness.ForecastsAsync(), f => f.Gauge == "predicted_value");
    }

    [Fact]
    public void WhetherASeriesWasNegativeSurvivesASnapshot()
    {
        var harness = new Harness();
        harness.Write(100, i => i == 50 ? -1 : 10);
        Series series = harness.Store.Targets[0].Snapshot().Single();
        Assert.True(series.HasBeenNegative);
        var settings = harness.Store.Targets[0].Settings;
        var restored = new SeriesStore(TestSettings.SmallTarget(), harness.Time);
        restored.Restore([new Sidecar.Store.Snapshots.SnapshotFile.Entry(settings.Name, settings.StepMs, settings.HistorySteps, series.Capture())]);
        Assert.True(restored.Targets[0].Snapshot().Single().HasBeenNegative);
    }
}
