using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// A daily cycle that peaks at 85 never reaches a threshold of 90, but its morning rise, extended as a
/// straight line, does: predict_linear alerts falsely every day. The learned forecast knows the rise
/// turns over. Counted over a fourth day replayed step by step after three days of training history.
/// </summary>
public sealed class CyclicCapacityTests
{
    private const int StepsPerDay = 288; // 5 minutes
    private const double Threshold = 90, WarnSeconds = 4 * 3600;

    private static double Cycle(long step) => 50 + 35 * Math.Sin(2 * Math.PI * step / StepsPerDay);

    [Fact]
    public async Task ForecastCrossingsBeatPredictLinearOnADailyCycle()
    {
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: cpu
                selector: cycle_percent
                step: 5m
                horizons: [1h, 4h]
                history: 8d
                capacity:
                  threshold: 90
                  direction: above
                model:
                  window: 16
                  hidden_size: 24
                  layers: 2
                  max_epochs: 30
                  learning_rate: 0.01
                  fallback: none
            """);
        long firstStep = 1_700_006_400_000 / 300_000 / StepsPerDay * StepsPerDay; // midnight
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(firstStep * 300_000));
        var store = new SeriesStore(settings, time);
        void Write(long step)
        {
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("cycle_percent", ("instance", "a")).With((step * 300_000, Cycle(step)))));
            time.Advance(DateTimeOffset.FromUnixTimeMilliseconds((step + 2) * 300_000) - time.GetUtcNow());
        }
        for (long s = firstStep; s < firstStep + 3 * StepsPerDay; s++)
            Write(s);
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        pipeline.Publish(Trainer.Train(TrainingData.From(store.Targets[0]), settings.Targets[0].Model, "h", null, CancellationToken.None).Model);
        pipeline.Process();

        // predict_linear(cycle_percent[1h], 4h) > 90, with Prometheus' semantics (checked against Prometheus itself elsewhere).
        var predictLinear = new PredictLinearForecaster(rangeSteps: 12);
        var history = new float[13];
        var forecast = new float[1];
        int ours = 0, linear = 0, forecasts = 0;
        double highest = double.MinValue;
        Series series = store.Targets[0].Snapshot().Single();
        for (long s = firstStep + 3 * StepsPerDay; s < firstStep + 4 * StepsPerDay; s++)
        {
            Write(s);
            pipeline.Process();
            string text = await RegistryText.ScrapeAsync(registry);
            var fourHours = System.Text.RegularExpressions.Regex.Match(text, "predicted_value\\{[^}]*horizon=\"4h\",model=\"lstm\"\\} (\\S+)");
            if (fourHours.Success)
            {
                forecasts++;
                highest = Math.Max(highest, double.Parse(fourHours.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
            var crossing = System.Text.RegularExpressions.Regex.Match(text, "predicted_threshold_crossing_seconds\\{[^}]*quantile=\"0.5\"\\} (\\S+)");
            if (crossing.Success && double.Parse(crossing.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) < WarnSeconds)
                ours++;
            series.CopyHistory(s, history);
            if (predictLinear.TryForecast(history, [48], forecast) && forecast[0] > Threshold)
                linear++;
        }
        // The model forecast every step, and its 4h forecasts do climb towards the peak: it isn't quiet by being flat.
        Assert.Equal(StepsPerDay, forecasts);
        Assert.InRange(highest, 75, 89);
        // The series never exceeds 85: every one of these is a false alarm.
        Assert.True(linear > 20, $"predict_linear warned on {linear} steps");
        Assert.True(ours * 4 < linear, $"the forecast warned on {ours} steps, predict_linear on {linear}");
    }
}
