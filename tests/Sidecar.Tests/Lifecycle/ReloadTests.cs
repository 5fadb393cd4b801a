using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Lifecycle;

/// <summary>
/// <c>POST /-/reload</c> against the real host: unchanged targets keep store, pipeline and model; a
/// changed model or anomaly setting retrains that target alone, on the history it kept; added, removed
/// and re-selected targets follow the new file; a broken file changes nothing; ingest running through
/// reloads loses no sample of a kept target.
/// </summary>
public sealed class ReloadTests
{
    private const string Lifecycle = "--web.enable-lifecycle";

    private sealed record TargetYaml(string Name, int HiddenSize = 8, double Sigmas = 3, string? Selector = null, string MinHistory = "90s", string History = "10m");

    // series_timeout_steps: these tests check what a reload keeps. At the default (10 steps, 10 s here) a
    // series written once, then silent while a busy machine trains, could leave /metrics before the check:
    // a full run once failed AnUnchangedConfigKeepsEveryStorePipelineAndModel so, passing alone.
    private static string Config(params TargetYaml[] targets) => "demo:\n  mode: off\nstorage:\n  snapshot_interval: 1h\ntargets:\n" + string.Concat(targets.Select(t => $"""
          - name: {t.Name}
            selector: '{t.Selector ?? t.Name + "_metric"}'
            step: 1s
            horizons: [2s, 5s]
            history: {t.History}
            series_timeout_steps: 600
            model:
              window: 8
              hidden_size: {t.HiddenSize}
              layers: 1
              max_epochs: 2
              min_history: {t.MinHistory}
              fit_window: 10m
              fit_every: 1h
            anomaly:
              sigmas: {t.Sigmas.ToString(System.Globalization.CultureInfo.InvariantCulture)}

        """));

    [Fact]
    public async Task AnUnchangedConfigKeepsEveryStorePipelineAndModel()
    {
        string config = Config(new("a"), new("b"));
        await using var sidecar = await RunningSidecar.StartAsync(config, extraArgs: [Lifecycle]);
        await TrainBothAsync(sidecar);
        var pipelines = sidecar.Service<PipelineSet>().Current;
        var stores = sidecar.Service<SeriesStore>().Targets;
        string before = await sidecar.ScrapeAsync();

        var response = await ReloadAsync(sidecar, config);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("kept [a, b]", await response.Content.ReadAsStringAsync());

        Assert.Equal(pipelines, sidecar.Service<PipelineSet>().Current); // the very same pipeline objects
        Assert.Equal(stores, sidecar.Service<SeriesStore>().Targets);
        await Task.Delay(3000); // a retrain, had one been started, would show by now
        string after = await sidecar.ScrapeAsync();
        foreach (string target in new[] { "a", "b" })
        {
            Assert.Equal(1, TrainingRuns(after, target));
            Assert.Equal(Gauge(before, "forecast_sidecar_model_last_trained_timestamp_seconds", target), Gauge(after, "forecast_sidecar_model_last_trained_timestamp_seconds", target));
            Assert.Equal(Gauge(before, "forecast_sidecar_model_validation_loss", target), Gauge(after, "forecast_sidecar_model_validation_loss", target));
            Assert.Contains($"metric=\"{target}_metric\",target=\"{target}\",horizon=\"5s\",model=\"lstm\"", after);
        }
    }

    [Fact]
    public async Task ChangingOneTargetsAnomalyOrModelSettingRetrainsOnlyThatTargetOnItsKeptHistory()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config(new("a"), new("b")), extraArgs: [Lifecycle]);
        await TrainBothAsync(sidecar);
        var a = sidecar.Service<PipelineSet>().Current[0];
        var b = sidecar.Service<PipelineSet>().Current[1];
        // Fresh samples, so that b's model has residuals to score.
        for (int i = 0; i < 120 && b.ExportScores().Series.Single().Scorer.Count == 0; i++)
        {
            await WriteAsync(sidecar, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 2000, 2, "b");
            await Task.Delay(500);
        }
        Assert.True(b.ExportScores().Series.Single().Scorer.Count > 0, "b never scored a residual");

        var response = await ReloadAsync(sidecar, Config(new("a"), new("b", Sigmas: 4)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("kept [a], retrained with their history [b]", await response.Content.ReadAsStringAsync());
        var current = sidecar.Service<PipelineSet>().Current;
        Assert.Same(a, current[0]);
        Assert.NotSame(b, current[1]);
        Assert.Same(b.Store, current[1].Store); // the history stays: nothing new is written, yet it retrains
        Assert.Equal(4, current[1].Settings.Anomaly.Sigmas);
        // Its scores carry on from what the old pipeline learnt (a new one would start at 0, in warm-up), and
        // novelty, whose settings didn't change, from its records.
        var carried = b.ExportScores().Series.Single();
        await EventuallyAsync(sidecar, _ => current[1].ExportScores().Series.Count == 1, "b's new pipeline to take its series' scores over");
        var taken = current[1].ExportScores().Series.Single();
        Assert.True(taken.Scorer.Count >= carried.Scorer.Count, $"{taken.Scorer.Count} residuals scored, {carried.Scorer.Count} before the reload");
        Assert.True(taken.Novelty!.LastStep >= carried.Novelty!.LastStep);
        await EventuallyAsync(sidecar, m => TrainingRuns(m, "b") == 2, "b to retrain after its anomaly change");

        response = await ReloadAsync(sidecar, Config(new("a", HiddenSize: 6), new("b", Sigmas: 4)));
        Assert.Contains("kept [b], retrained with their history [a]", await response.Content.ReadAsStringAsync());
        await EventuallyAsync(sidecar, m => TrainingRuns(m, "a") == 2, "a to retrain after its model change");
        string metrics = await sidecar.ScrapeAsync();
        Assert.Equal(2, TrainingRuns(metrics, "b"));
        using var model = ModelFile.Read(ModelFile.PathFor(Path.Combine(Path.GetDirectoryName(sidecar.ConfigPath)!, "data"), "a"));
        Assert.Equal(6, model.Network.HiddenSize);
    }

    [Fact]
    public async Task AddedRemovedAndReselectedTargetsFollowTheNewFile()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config(new("a", MinHistory: "9m"), new("b", MinHistory: "9m")), extraArgs: [Lifecycle]);
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 120_000;
        await WriteAsync(sidecar, t0, 60, "a", "b");
        var oldA = sidecar.Service<SeriesStore>().Targets[0];
        Assert.Equal(1, oldA.Count);
        await EventuallyAsync(sidecar, m => m.Contains("forecast_sidecar_series_tracked{target=\"b\"} 1", StringComparison.Ordinal), "b's series");

        // a selects something else now (its kept steps no longer fit), b goes, c comes.
        var response = await ReloadAsync(sidecar, Config(new("a", MinHistory: "9m", Selector: "{__name__=\"a_metric\",instance=\"x\"}"), new("c", MinHistory: "9m")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("restarted empty [a], added [c], removed [b]", await response.Content.ReadAsStringAsync());
        var targets = sidecar.Service<SeriesStore>().Targets;
        Assert.Equal(["a", "c"], targets.Select(t => t.Settings.Name));
        Assert.NotSame(oldA, targets[0]);
        Assert.Equal(0, targets[0].Count);

        // The route cache was dropped: the same label sets now reach the new targets; b's reach nothing.
        await WriteAsync(sidecar, t0 + 60_000, 10, "a", "b", "c");
        Assert.Equal(1, targets[0].Count);
        Assert.Equal(10, targets[0].Snapshot()[0].Capture().Values.Count(v => !float.IsNaN(v)));
        Assert.Equal(1, targets[1].Count);
        Assert.Equal(2, sidecar.Service<SeriesStore>().SeriesCount);
        await EventuallyAsync(sidecar, m => m.Contains("forecast_sidecar_series_tracked{target=\"c\"} 1", StringComparison.Ordinal), "c's series");
        string metrics = await sidecar.ScrapeAsync();
        Assert.DoesNotContain(metrics.Split('\n'), line => line.Contains("target=\"b\"", StringComparison.Ordinal)
            && !line.StartsWith("forecast_sidecar_", StringComparison.Ordinal));
        Assert.DoesNotContain("forecast_sidecar_series_tracked{target=\"b\"}", metrics);
    }

    [Fact]
    public async Task ABrokenConfigIsRejectedAndTheRunningOneStaysActive()
    {
        string good = Config(new TargetYaml("a", MinHistory: "9m"));
        await using var sidecar = await RunningSidecar.StartAsync(good, extraArgs: [Lifecycle]);
        var pipelines = sidecar.Service<PipelineSet>().Current;
        var settings = sidecar.Service<SettingsHolder>().Current;
        double loadedAt = Gauge(await sidecar.ScrapeAsync(), "forecast_sidecar_config_last_reload_success_timestamp_seconds");
        Assert.Contains("forecast_sidecar_config_last_reload_successful 1", await sidecar.ScrapeAsync());

        foreach (string broken in new[] { "targets: [\n  - name: x\n", good.Replace("step: 1s", "step: -1s", StringComparison.Ordinal), good + "unknown_key: 1\n" })
        {
            var response = await ReloadAsync(sidecar, broken);
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("reload failed; the running config stays in use: ", await response.Content.ReadAsStringAsync());
            Assert.Same(pipelines, sidecar.Service<PipelineSet>().Current);
            Assert.Same(settings, sidecar.Service<SettingsHolder>().Current);
            string metrics = await sidecar.ScrapeAsync();
            Assert.Contains("forecast_sidecar_config_last_reload_successful 0", metrics);
            Assert.Equal(loadedAt, Gauge(metrics, "forecast_sidecar_config_last_reload_success_timestamp_seconds"));
        }
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 60_000;
        await WriteAsync(sidecar, t0, 5, "a"); // the old config still routes
        Assert.Equal(1, sidecar.Service<SeriesStore>().Targets[0].Count);

        await Task.Delay(1100); // the success timestamp has second resolution
        Assert.Equal(HttpStatusCode.OK, (await ReloadAsync(sidecar, good)).StatusCode);
        string fixedMetrics = await sidecar.ScrapeAsync();
        Assert.Contains("forecast_sidecar_config_last_reload_successful 1", fixedMetrics);
        Assert.True(Gauge(fixedMetrics, "forecast_sidecar_config_last_reload_success_timestamp_seconds") > loadedAt);
    }

    [Fact]
    public async Task GlobalLimitsApplyFromTheReloadOn()
    {
        string config = Config(new TargetYaml("a", MinHistory: "9m"));
        await using var sidecar = await RunningSidecar.StartAsync(config + "limits:\n  max_body_bytes: 200\n", extraArgs: [Lifecycle]);
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 60_000;
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, "x", 100))).StatusCode);

        // Raised by the reload: the server's own body limit, set at start, follows too.
        Assert.Equal(HttpStatusCode.OK, (await ReloadAsync(sidecar, config)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, "x", 100))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await ReloadAsync(sidecar, config + "limits:\n  max_series: 1\n")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, "y", 1))).StatusCode);
        Assert.Equal(1, sidecar.Service<SeriesStore>().Targets[0].Count);
        Assert.Contains("forecast_sidecar_series_refused_total{target=\"a\",reason=\"global_limit\"} 1", await sidecar.ScrapeAsync());
    }

    private static ByteArrayContent Body(long t0, string instance, int count)
    {
        var series = WriteRequests.Series("a_metric", ("instance", instance)).With([.. Enumerable.Range(0, count).Select(i => (t0 + i * 1000L, (double)i))]);
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    [Fact]
    public async Task TheLifecycleEndpointsAreForbiddenWithoutTheFlag()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config(new TargetYaml("a", MinHistory: "9m")));
        foreach (string path in new[] { "/-/reload", "/-/quit" })
        {
            var response = await sidecar.Http.PostAsync(path, null);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal(LifecycleEndpoints.DisabledMessage, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(HttpStatusCode.OK, (await sidecar.Http.GetAsync("/-/ready")).StatusCode);
    }

    [Fact]
    public async Task IngestRunningThroughReloadsLosesNoSampleOfAKeptTarget()
    {
        // One step per request, within a 6h history: far more requests than a fast machine sends while
        // the reloads run, and the writer waits at the cap instead of ending, so no speed is raced.
        const int Reloads = 20, MaxRequests = 21_000;
        string withB = Config(new("a", MinHistory: "9m", History: "6h"), new("b", MinHistory: "9m"));
        string withoutB = Config(new TargetYaml("a", MinHistory: "9m", History: "6h"));
        await using var sidecar = await RunningSidecar.StartAsync(withB, extraArgs: [Lifecycle]);
        var a = sidecar.Service<SeriesStore>().Targets[0];
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - (MaxRequests + 100) * 1000L;

        using var done = new CancellationTokenSource();
        int written = 0;
        var writer = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested && Volatile.Read(ref written) < MaxRequests)
            {
                await WriteAsync(sidecar, t0 + Volatile.Read(ref written) * 1000L, 1, "a", "b");
                Interlocked.Increment(ref written);
            }
            return Volatile.Read(ref written);
        });
        // Reloads start once writes flow, and each waits for more writes: every reload happens between writes.
        for (int reload = 0; reload < Reloads; reload++)
        {
            int before = Volatile.Read(ref written);
            for (var deadline = DateTime.UtcNow.AddSeconds(30); Volatile.Read(ref written) == before && !writer.IsCompleted; await Task.Delay(1))
                Assert.True(DateTime.UtcNow < deadline, "no write went through between two reloads");
            Assert.Equal(HttpStatusCode.OK, (await ReloadAsync(sidecar, reload % 2 == 0 ? withoutB : withB)).StatusCode);
        }
        done.Cancel();
        int requests = await writer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(requests < MaxRequests, $"the writer reached its cap of {MaxRequests} before the reloads ended");

        Assert.Same(a, sidecar.Service<SeriesStore>().Targets[0]);
        var series = Assert.Single(a.Snapshot());
        Assert.Equal(requests, series.Capture().Values.Count(v => !float.IsNaN(v)));
        Assert.Equal(sidecar.Service<SeriesStore>().Targets.Sum(t => t.Count), sidecar.Service<SeriesStore>().SeriesCount);
    }

    private static async Task TrainBothAsync(RunningSidecar sidecar)
    {
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 300_000;
        await WriteAsync(sidecar, t0, 290, "a", "b");
        await EventuallyAsync(sidecar, m => TrainingRuns(m, "a") == 1 && TrainingRuns(m, "b") == 1
            && m.Contains("target=\"a\",horizon=\"5s\",model=\"lstm\"", StringComparison.Ordinal)
            && m.Contains("target=\"b\",horizon=\"5s\",model=\"lstm\"", StringComparison.Ordinal), "both targets' first models");
    }

    private static async Task<HttpResponseMessage> ReloadAsync(RunningSidecar sidecar, string config)
    {
        await File.WriteAllTextAsync(sidecar.ConfigPath, config);
        return await sidecar.Http.PostAsync("/-/reload", null);
    }

    /// <summary>Writes <paramref name="count"/> one-second samples from <paramref name="t0"/> to each target's <c>NAME_metric</c>.</summary>
    private static async Task WriteAsync(RunningSidecar sidecar, long t0, int count, params string[] targets)
    {
        var all = targets.Select(target =>
        {
            var series = WriteRequests.Series(target + "_metric", ("instance", "x"));
            for (int i = 0; i < count; i++)
                series.With((t0 + i * 1000L, 50 + 10 * Math.Sin((t0 / 1000 + i) / 5.0)));
            return series;
        }).ToArray();
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(all)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var response = await sidecar.Http.PostAsync("/api/v1/write", content);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static int TrainingRuns(string metrics, string target)
    {
        var match = Regex.Match(metrics, $"forecast_sidecar_training_runs_total\\{{target=\"{target}\",result=\"success\"\\}} (\\S+)");
        return match.Success ? (int)double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    private static double Gauge(string metrics, string name, string? target = null)
    {
        string labels = target is null ? "" : $"\\{{target=\"{target}\"\\}}";
        var match = Regex.Match(metrics, $"(?m)^{name}{labels} (\\S+)$");
        Assert.True(match.Success, $"no {name}{labels}");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task EventuallyAsync(RunningSidecar sidecar, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!condition(await sidecar.ScrapeAsync()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(250);
        }
    }
}
