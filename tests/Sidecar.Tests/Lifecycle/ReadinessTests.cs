using System.Net;
using System.Net.Http.Headers;
using Sidecar.Host;
using Sidecar.Store;
using Sidecar.Store.Snapshots;
using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.Lifecycle;

/// <summary>
/// <c>/-/healthy</c> answers whenever the process serves; <c>/-/ready</c> and remote-write only once the
/// snapshot is restored, and no longer once shutdown has begun. Refused writes get 503 with Retry-After,
/// so Prometheus keeps and resends them.
/// </summary>
public sealed class ReadinessTests(ITestOutputHelper output)
{
    private const int SnapshotSeries = 100_000;

    // max_series above the largest retry (100k, 200k, 400k series): at the default 100,000 a retry's
    // snapshot would be restored only in part.
    private const string Config = """
        demo:
          mode: off
        limits:
          max_series: 1000000
        storage:
          snapshot_interval: 1h
        targets:
          - name: t
            selector: 'ready_metric'
            type: gauge
            step: 1s
            horizons: [5s]
            history: 5m
            model:
              min_history: 4m
        """;

    [Fact]
    public async Task WhileTheSnapshotRestoresTheSidecarIsHealthyButNotReadyAndWritesWait()
    {
        // The checks need the restore still running while they look. A machine fast enough to finish it first
        // gets the test again with twice the series, a bounded number of times, instead of a failure.
        for (int attempt = 1, series = SnapshotSeries; ; attempt++, series *= 2)
        {
            if (await CheckWhileRestoringAsync(series))
                return;
            Assert.True(attempt < 3, $"the restore of {series} series finished before the test could look, {attempt} times");
            output.WriteLine($"the restore of {series} series finished before the test looked: again with twice as many");
        }
    }

    /// <returns>False when the restore finished before the checks were done, so they proved nothing.</returns>
    private async Task<bool> CheckWhileRestoringAsync(int snapshotSeries)
    {
        string directory = Directory.CreateTempSubdirectory("sidecar-ready-").FullName;
        try
        {
            long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 30_000;
            WriteSnapshot(Path.Combine(directory, "data"), t0, snapshotSeries);
            // The same requests once against a sidecar with nothing to restore: the first of each is slowed
            // by JIT compilation, which would eat into the restore's window below.
            await using (var warm = await RunningSidecar.StartAsync(Config))
            {
                await warm.Http.GetAsync("/-/healthy");
                await warm.Http.GetAsync("/-/ready");
                await warm.Http.PostAsync("/api/v1/write", Body(t0, 0));
                await warm.Http.PostAsync("/-/reload", null);
            }
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var sidecar = await RunningSidecar.StartAsync(Config, directory: directory, waitRestored: false, extraArgs: ["--web.enable-lifecycle"]);
            output.WriteLine($"started after {clock.Elapsed.TotalSeconds:F2}s");
            if (sidecar.Service<Readiness>().IsRestored)
                return false;
            // Asked first, judged after: only answers given while the restore still ran count.
            var healthy = await sidecar.Http.GetAsync("/-/healthy");
            var ready = await sidecar.Http.GetAsync("/-/ready");
            string readyText = await ready.Content.ReadAsStringAsync();
            var refused = await sidecar.Http.PostAsync("/api/v1/write", Body(t0 + 25_000, 25));
            var reload = await sidecar.Http.PostAsync("/-/reload", null);
            if (sidecar.Service<Readiness>().IsRestored)
                return false;
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("restoring the snapshot", readyText);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, reload.StatusCode);

            await sidecar.Service<Readiness>().Restored.WaitAsync(TimeSpan.FromSeconds(120));
            output.WriteLine($"{snapshotSeries} series restored within {clock.Elapsed.TotalSeconds:F1}s");
            Assert.Equal(HttpStatusCode.OK, (await sidecar.Http.GetAsync("/-/ready")).StatusCode);
            // The write Prometheus retries now lands beside the restored history, which it doesn't disturb.
            Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0 + 25_000, 25))).StatusCode);
            var target = sidecar.Service<SeriesStore>().Targets.Single();
            Assert.Equal(snapshotSeries, target.Count);
            var series = target.Snapshot()[0];
            Assert.Equal(10f, series.CopyHistoryAt(t0 / 1000 + 10));
            Assert.Equal(25f, series.CopyHistoryAt(t0 / 1000 + 25));
            return true;
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task OnceShutdownBeginsWritesAndReadinessAreRefusedButHealthStays()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config);
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 30_000;
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, 1))).StatusCode);

        // What SIGTERM does first; the host isn't stopped here, so the port keeps answering for the test.
        sidecar.App.Lifetime.StopApplication();
        var refused = await sidecar.Http.PostAsync("/api/v1/write", Body(t0 + 1000, 1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("shutting down", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await sidecar.Http.GetAsync("/-/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await sidecar.Http.GetAsync("/-/healthy")).StatusCode);
        Assert.Equal(1, sidecar.Service<SeriesStore>().Targets.Single().Snapshot().Single().Capture().Values.Count(v => !float.IsNaN(v)));
    }

    // Many series of 20 steps each (values 0..19, then a gap): the restore takes seconds, not milliseconds.
    private static void WriteSnapshot(string data, long t0, int seriesCount)
    {
        var settings = ConfigLoader.Load(Config);
        var store = new SeriesStore(settings, TimeProvider.System);
        var samples = Enumerable.Range(0, 20).Select(i => new Sidecar.Protocol.RemoteWrite.SampleValue(t0 + i * 1000L, i)).ToArray();
        for (int s = 0; s < seriesCount; s++)
            store.Ingest([new("__name__", "ready_metric"), new("instance", "i" + s.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))], samples);
        SnapshotFile.Write(data, store);
    }

    private static ByteArrayContent Body(long from, int index)
    {
        var series = WriteRequests.Series("ready_metric", ("instance", "i000000")).With((from, index));
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }
}
