using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;
using TorchSharp;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// Streaming inference carries each series' LSTM state from step to step. These tests recompute the same
/// forecasts from scratch and compare: over the same history they must agree to float precision, whether
/// a series advanced one step per call or several at once, in one batch with others.
/// </summary>
public sealed class StreamingInferenceTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public async Task StreamingForecastsEqualAFullRecomputeOverTheSameHistory()
    {
        var settings = TestSettings.SmallTarget();
        var time = new ManualTimeProvider(Now);
        var store = new SeriesStore(settings, time);
        var registry = Metrics.NewCustomRegistry();
        var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        long t0 = Now.ToUnixTimeMilliseconds() - 400_000;
        double Value(string instance, int i) => instance == "a" ? 50 + 10 * Math.Sin(i / 5.0) : 20 + (i % 9);
        void Write(string instance, int from, int count)
        {
            var series = WriteRequests.Series("test_metric", ("instance", instance));
            for (int i = from; i < from + count; i++)
                series.With((t0 + i * 1000L, Value(instance, i)));
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
        }
        Write("a", 0, 200);
        Write("b", 0, 200);
        var target = store.Targets[0];
        using var model = Trainer.Train(TrainingData.From(target), target.Settings.Model, "test", null, CancellationToken.None).Model;
        pipeline.Publish(model.Clone());
        pipeline.Process();
        long firstStep = t0 / 1000 + 199;

        // a advances one step per call; b three at a time, so both catch-up paths run, batched together.
        for (int i = 200; i < 260; i++)
        {
            Write("a", i, 1);
            if (i % 3 == 2)
                Write("b", i - 2, 3);
            pipeline.Process();
        }

        string text = await RegistryText.ScrapeAsync(registry);
        // Sixty realised steps also give the online quality of the forecasts.
        var coverage = Regex.Match(text, "forecast_sidecar_forecast_interval_coverage\\{target=\"t\",horizon=\"5s\"\\} (\\S+)");
        Assert.True(coverage.Success, "no coverage gauge");
        Assert.InRange(double.Parse(coverage.Groups[1].Value, CultureInfo.InvariantCulture), 0.3, 1);
        Assert.Matches("forecast_sidecar_forecast_mae\\{target=\"t\",horizon=\"2s\"\\} [0-9]", text);
        Assert.Matches("forecast_sidecar_forecast_mase\\{target=\"t\",horizon=\"2s\"\\} [0-9]", text);
        int window = target.Settings.Model.Window;
        foreach (string instance in new[] { "a", "b" })
        {
            Series series = target.Snapshot().Single(s => s.Labels.Get("instance") == instance);
            long lastStep = series.LastClosedStepAt(Now.ToUnixTimeMilliseconds());
            Assert.Equal(t0 / 1000 + (instance == "a" ? 259 : 257), lastStep);
            double streamed = Gauge(text, instance, "5s");
            // The series was warmed up on the window before its first processed step, then streamed.
            double full = Recompute(model, target, series, firstStep - window + 1, lastStep, head: 2);
            double spread = model.Description.Scalers[series.Labels.ToString()].Spread;
            Assert.True(Math.Abs(streamed - full) <= 1e-4 * spread, $"{instance}: streamed {streamed}, recomputed {full}");

            // A window-only warm-up (what a new series or a new model starts from) must land close to the
            // long-running state: within 5% of the series' spread.
            double windowOnly = Recompute(model, target, series, lastStep - window + 1, lastStep, head: 2);
            Assert.True(Math.Abs(streamed - windowOnly) <= 0.05 * spread, $"{instance}: streamed {streamed}, window-only {windowOnly}, spread {spread}");
        }
    }

    [Fact]
    public async Task SavedStatesCarryOnAfterARestartExactlyAsIfNothingHappened()
    {
        var settings = TestSettings.SmallTarget();
        var time = new ManualTimeProvider(Now);
        long t0 = Now.ToUnixTimeMilliseconds() - 400_000;
        void Write(SeriesStore store, int from, int count)
        {
            var series = WriteRequests.Series("test_metric", ("instance", "a"));
            for (int i = from; i < from + count; i++)
                series.With((t0 + i * 1000L, 30 + 8 * Math.Sin(i / 4.0) + (i % 5)));
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(series));
        }
        (TargetPipeline Pipeline, CollectorRegistry Registry) Start(SeriesStore store)
        {
            var registry = Metrics.NewCustomRegistry();
            return (new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance), registry);
        }

        var before = new SeriesStore(settings, time);
        Write(before, 0, 200);
        using var model = Trainer.Train(TrainingData.From(before.Targets[0]), settings.Targets[0].Model, "test", null, CancellationToken.None).Model;
        var (running, runningRegistry) = Start(before);
        running.Publish(model.Clone());
        running.Process();
        for (int i = 200; i < 240; i++)
        {
            Write(before, i, 1);
            running.Process();
        }

        // "Restart": the states go through their file, a new store holds the same history.
        string path = Path.Combine(Path.GetTempPath(), $"states-{Guid.NewGuid():N}.states");
        try
        {
            SavedStatesFile.Write(path, running.ExportStates()!);
            var after = new SeriesStore(settings, time);
            Write(after, 0, 240);
            var (restarted, restartedRegistry) = Start(after);
            restarted.SeedStates(SavedStatesFile.Read(path));
            restarted.Publish(model.Clone());
            restarted.Process();

            Write(before, 240, 1);
            Write(after, 240, 1);
            running.Process();
            restarted.Process();
            double expected = Gauge(await RegistryText.ScrapeAsync(runningRegistry), "a", "5s");
            Assert.Equal(expected, Gauge(await RegistryText.ScrapeAsync(restartedRegistry), "a", "5s"), 5);
            running.Dispose();
            restarted.Dispose();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ADamagedStatesFileIsRefused()
    {
        string path = Path.Combine(Path.GetTempPath(), $"states-{Guid.NewGuid():N}.states");
        try
        {
            var states = new SavedStates("h", 1, 1, 2, [new SavedSeriesState("k", 5, InputLevels.At(0.5f), new RobustScaler(1, 2), [1, 2], [3, 4], [7, 8, 9])]);
            SavedStatesFile.Write(path, states);
            var read = SavedStatesFile.Read(path);
            Assert.Equal(("h", 1L, 5L), (read.ConfigHash, read.TrainedAtTicks, read.Series[0].StateStep));
            Assert.Equal([3f, 4f], read.Series[0].Cell);
            Assert.Equal([7f, 8f, 9f], read.Series[0].Forecast);
            byte[] bytes = File.ReadAllBytes(path);
            bytes[12] ^= 1;
            File.WriteAllBytes(path, bytes);
            Assert.Throws<InvalidDataException>(() => SavedStatesFile.Read(path));
            File.WriteAllBytes(path, bytes[..10]);
            Assert.Throws<InvalidDataException>(() => SavedStatesFile.Read(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StatesFilesKeepTheSmoothedLevelsAndFilesFromBeforeThemStillRead()
    {
        string path = Path.Combine(Path.GetTempPath(), $"states-{Guid.NewGuid():N}.states");
        try
        {
            var levels = new InputLevels { Anchor = 0.5f, Fast = 0.25f, Slow = -1f };
            SavedStatesFile.Write(path, new SavedStates("h", 1, 1, 2, [new SavedSeriesState("k", 5, levels, new RobustScaler(1, 2), [1, 2], [3, 4], [])]));
            Assert.Equal((0.5f, 0.25f, -1f), (SavedStatesFile.Read(path).Series[0].Levels.Anchor, SavedStatesFile.Read(path).Series[0].Levels.Fast, SavedStatesFile.Read(path).Series[0].Levels.Slow));

            // FSSTATE1, as written before the levels: the anchor alone after the state step.
            using var payload = new MemoryStream();
            using (var writer = new BinaryWriter(payload, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write("h");
                writer.Write(1L);
                writer.Write(1);
                writer.Write(2);
                writer.Write(1);
                writer.Write("k");
                writer.Write(5L);
                foreach (float f in new[] { 0.5f, 1f, 2f, 1f, 2f, 3f, 4f })
                    writer.Write(f);
                writer.Write(0);
            }
            ChecksummedFile.Write(path, "FSSTATE1"u8, payload.ToArray());
            SavedSeriesState old = SavedStatesFile.Read(path).Series[0];
            Assert.Equal((0.5f, 0.5f, 0.5f), (old.Levels.Anchor, old.Levels.Fast, old.Levels.Slow));
            Assert.Equal((1f, 2f), (old.Scaler.Center, old.Scaler.Spread));
            Assert.Equal([3f, 4f], old.Cell);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task StreamedInputsCarryTheValuesADayAndAWeekBeforeEachStep()
    {
        // At a 1m step the network also reads each step's value a day and a week earlier (seasonal_lags); in
        // steady state the step reads them once, with the newest value, for novelty and the network alike.
        // A series with more than a week of history, whose value a day back and a week back differ, streams
        // twenty steps one at a time; its forecast must equal a recompute that reads each lag from the store.
        var settings = ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: t
                selector: 'test_metric'
                step: 1m
                horizons: [5m]
                history: 8d
                model:
                  window: 8
                  hidden_size: 8
                  layers: 2
                  combine: none
            """);
        var time = new Sidecar.Backtest.SimulatedClock(Now);
        var store = new SeriesStore(settings, time);
        var target = store.Targets[0];
        var layout = new FeatureLayout(target.Settings.Model.Features, target.Settings.StepMs);
        Assert.Equal((1440, 10080), (layout.DailyLagSteps, layout.WeeklyLagSteps));
        long stepMs = target.Settings.StepMs, first = Now.ToUnixTimeMilliseconds() / stepMs - 8 * 1440;
        // A level that climbs day by day, a daily wave and a weekday pattern: a day back and a week back are different values.
        double Value(long step) => 100 + 5 * ((step - first) / 1440) + 10 * Math.Sin(step * 2 * Math.PI / 1440) + 3 * ((step / 1440) % 7);
        List<KeyValuePair<string, string>> labels = [new("__name__", "test_metric"), new("instance", "a")];
        void Write(long from, long to)
        {
            time.Set(DateTimeOffset.FromUnixTimeMilliseconds((to + 2) * stepMs));
            store.Ingest(labels, [.. Enumerable.Range(0, (int)(to - from + 1)).Select(i => new Sidecar.Protocol.RemoteWrite.SampleValue((from + i) * stepMs, Value(from + i)))]);
        }
        long last = first + 8 * 1440 - 20;
        Write(first, last);
        Series series = Assert.Single(target.Snapshot());
        var untrained = Sidecar.Bench.UntrainedModel.For(target.Settings, 8, 2);
        using var model = new TrainedModel(untrained.Network, untrained.Description with
        {
            Scalers = new Dictionary<string, RobustScaler> { [series.Labels.ToString()] = new RobustScaler(120, 15) },
        });
        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(target, TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        pipeline.Publish(model.Clone());
        pipeline.Process();
        long warmedAt = series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds());
        for (long step = last + 1; step <= last + 20; step++)
        {
            Write(step, step);
            pipeline.Process();
        }

        long newest = series.LastClosedStepAt(time.GetUtcNow().ToUnixTimeMilliseconds());
        Assert.Equal(warmedAt + 20, newest);
        double streamed = Gauge(await RegistryText.ScrapeAsync(registry), "a", "5m");
        double recomputed = Recompute(model, target, series, warmedAt - target.Settings.Model.Window + 1, newest, head: 1);
        Assert.True(Math.Abs(streamed - recomputed) <= 1e-4 * 15, $"streamed {streamed}, recomputed {recomputed}");
    }

    /// <summary>The head's median forecast at <paramref name="last"/>, running the network from a zero state at <paramref name="from"/>.</summary>
    private static double Recompute(TrainedModel model, TargetStore target, Series series, long from, long last, int head)
    {
        var layout = new FeatureLayout(target.Settings.Model.Features, target.Settings.StepMs);
        RobustScaler scaler = model.Description.Scalers[series.Labels.ToString()];
        int steps = (int)(last - from + 1);
        var inputs = new float[steps * layout.Count];
        // As serving starts a series on a window: the smoothed levels run over the steps before it first.
        var before = new float[InputLevels.WarmupSteps];
        for (int k = 0; k < before.Length; k++)
            before[k] = series.CopyHistoryAt(from - before.Length + k);
        var levels = layout.Settings.SmoothedLevels ? InputLevels.Over(before, scaler) : InputLevels.Unknown;
        for (int t = 0; t < steps; t++)
        {
            long step = from + t;
            float value = series.CopyHistoryAt(step);
            if (levels.IsUnknown)
                levels = InputLevels.At(scaler.Scale(value));
            layout.Fill(inputs.AsSpan(t * layout.Count, layout.Count), step, value,
                series.CopyHistoryAt(step - layout.DailyLagSteps), series.CopyHistoryAt(step - layout.WeeklyLagSteps), scaler, ref levels);
        }
        // With autograd on: the path training uses, which is not the one streaming uses (LstmNetwork.Infer).
        using var scope = torch.NewDisposeScope();
        var output = model.Network.call(torch.tensor(inputs, [1, steps, layout.Count]));
        float change = output[0, steps - 1, head, model.MedianIndex].item<float>();
        return scaler.Unscale(levels.Anchor + change);
    }

    private static double Gauge(string text, string instance, string horizon)
    {
        var match = Regex.Match(text, $"predicted_value\\{{instance=\"{instance}\"[^}}]*horizon=\"{horizon}\"[^}}]*\\}} (\\S+)");
        Assert.True(match.Success, $"no predicted_value for {instance} at {horizon}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
