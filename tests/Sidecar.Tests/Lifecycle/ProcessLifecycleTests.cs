using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Sidecar.Store.Snapshots;
using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.Lifecycle;

/// <summary>
/// The sidecar as its own process, driven by real signals: SIGTERM drains an in-flight write, takes the
/// final snapshot and exits 0; SIGHUP reloads the config file (and a broken one changes nothing); with
/// <c>--log.format=json</c> every console line is one JSON object.
/// </summary>
public sealed class ProcessLifecycleTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(30);

    private readonly string _directory = Directory.CreateTempSubdirectory("sidecar-lifecycle-").FullName;

    private static string Config(params string[] targets) => $"""
        demo:
          mode: off
        storage:
          snapshot_interval: 1h
        targets:
        {string.Join("\n", targets.Select(name => $"""
          - name: {name}
            selector: '{name}_metric'
            step: 1s
            horizons: [5s]
            history: 10m
            model:
              min_history: 9m
        """))}
        """;

    [Fact]
    public async Task ATakenPortIsAClearErrorAndExitCodeOneNotACrash()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "sidecar.yml"), Config("t"));
        using var occupant = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((System.Net.IPEndPoint)occupant.LocalEndpoint).Port;
        var (exitCode, output) = await ExternalProgram.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "prometheus-forecast-sidecar.dll"), "--config.file=" + Path.Combine(_directory, "sidecar.yml"),
                "--storage.path=" + Path.Combine(_directory, "data"), $"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"]);
        Assert.Equal(1, exitCode);
        Assert.Contains($"127.0.0.1:{port}: address already in use", output);
        Assert.Contains("--web.listen-address", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }

    [Fact]
    public async Task SigtermFinishesTheInFlightWriteTakesTheFinalSnapshotAndExitsZero()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "sidecar.yml"), Config("t"));
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 300_000;
        using (var sidecar = SidecarProcess.Start(_directory, "--shutdown.timeout=20s"))
        {
            await sidecar.WaitReadyAsync();
            Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, 0, 100))).StatusCode);

            // A second write whose body is still arriving when SIGTERM comes: it was accepted, so it must finish and be kept.
            var release = new TaskCompletionSource();
            using var slowClient = new HttpClient { BaseAddress = sidecar.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
            var slow = new SlowContent(Body(t0, 100, 200), release.Task);
            var inFlight = slowClient.PostAsync("/api/v1/write", slow);
            await WhileInFlightAsync(slow);
            sidecar.Signal("TERM");
            await Task.Delay(1000);
            Assert.False(sidecar.Process.HasExited, "the sidecar exited before its in-flight request finished");
            release.SetResult();
            Assert.Equal(HttpStatusCode.NoContent, (await inFlight.WaitAsync(TimeSpan.FromSeconds(20))).StatusCode);

            Assert.Equal(0, await sidecar.WaitForExitAsync(ExitDeadline));
            output.WriteLine(string.Join('\n', sidecar.StdoutLines));
            Assert.Contains(sidecar.StdoutLines, line => line.Contains("Snapshot (shutdown): 1 series", StringComparison.Ordinal));
        }

        // The restart restores all 200 samples, those of the drained request included.
        string data = Path.Combine(_directory, "data");
        Assert.True(File.Exists(Path.Combine(data, SnapshotFile.FileName)));
        await using var restarted = await RunningSidecar.StartAsync(Config("t"), directory: _directory);
        var series = Assert.Single(restarted.Service<Sidecar.Store.SeriesStore>().Targets.Single().Snapshot());
        float[] values = series.Capture().Values;
        Assert.Equal(200, values.Count(v => !float.IsNaN(v)));
        Assert.Equal(199f, series.CopyHistoryAt((t0 + 199_000) / 1000));
    }

    [Fact]
    public async Task AShutdownPastItsDeadlineIsCutShortLoggedAndStillExits()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "sidecar.yml"), Config("t"));
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 300_000;
        using var sidecar = SidecarProcess.Start(_directory, "--shutdown.timeout=2s");
        await sidecar.WaitReadyAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(t0, 0, 10))).StatusCode);

        // A write whose body never finishes holds the drain until the deadline.
        var never = new TaskCompletionSource();
        using var stuckClient = new HttpClient { BaseAddress = sidecar.Http.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var stuck = new SlowContent(Body(t0, 10, 20), never.Task);
        var inFlight = stuckClient.PostAsync("/api/v1/write", stuck);
        await WhileInFlightAsync(stuck);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        sidecar.Signal("TERM");
        int exitCode = await sidecar.WaitForExitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"exited {exitCode} after {clock.Elapsed.TotalSeconds:F1}s\n" + string.Join('\n', sidecar.StdoutLines));
        never.SetResult();
        await Assert.ThrowsAnyAsync<Exception>(() => inFlight.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the deadline did not bound the shutdown");
        Assert.Equal(0, exitCode);
        Assert.Contains(sidecar.StdoutLines, line => line.Contains("level=error", StringComparison.Ordinal) && line.Contains("the shutdown deadline (--shutdown.timeout) passed before it began", StringComparison.Ordinal));
        // The snapshot that was on disk stays; nothing half-written replaces it.
        Assert.Empty(Directory.GetFiles(Path.Combine(_directory, "data"), "*.tmp"));
    }

    [Fact]
    public async Task SighupReloadsTheConfigFileAndABrokenOneChangesNothing()
    {
        string config = Path.Combine(_directory, "sidecar.yml");
        await File.WriteAllTextAsync(config, Config("a"));
        using var sidecar = SidecarProcess.Start(_directory);
        await sidecar.WaitReadyAsync();
        await Eventually(sidecar, metrics => metrics.Contains("forecast_sidecar_series_tracked{target=\"a\"} 0", StringComparison.Ordinal), "target a");

        // Without --web.enable-lifecycle the HTTP reload is refused; the signal always works.
        var refused = await sidecar.Http.PostAsync("/-/reload", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await File.WriteAllTextAsync(config, Config("a", "b"));
        sidecar.Signal("HUP");
        await Eventually(sidecar, metrics => metrics.Contains("forecast_sidecar_series_tracked{target=\"b\"} 0", StringComparison.Ordinal), "target b after SIGHUP");
        Assert.Contains("forecast_sidecar_config_last_reload_successful 1", await sidecar.Http.GetStringAsync("/metrics"));

        await File.WriteAllTextAsync(config, "targets: [\n  - name: broken\n");
        sidecar.Signal("HUP");
        await Eventually(sidecar, metrics => metrics.Contains("forecast_sidecar_config_last_reload_successful 0", StringComparison.Ordinal), "the failed reload");
        Assert.False(sidecar.Process.HasExited);
        string after = await sidecar.Http.GetStringAsync("/metrics");
        Assert.Contains("forecast_sidecar_series_tracked{target=\"b\"} 0", after);
        Assert.Equal(HttpStatusCode.OK, (await sidecar.Http.GetAsync("/-/ready")).StatusCode);

        sidecar.Signal("TERM");
        Assert.Equal(0, await sidecar.WaitForExitAsync(ExitDeadline));
        string[] lines = [.. sidecar.StdoutLines];
        output.WriteLine(string.Join('\n', lines));
        // One logfmt line per reload, each saying what happened.
        Assert.Single(lines, line => line.Contains("level=info", StringComparison.Ordinal) && line.Contains("msg=\"Reload (SIGHUP) applied: kept [a]", StringComparison.Ordinal) && line.Contains("added [b]", StringComparison.Ordinal));
        Assert.Single(lines, line => line.Contains("level=error", StringComparison.Ordinal) && line.Contains("Reload (SIGHUP) failed; the running config stays in use", StringComparison.Ordinal));
    }

    [Fact]
    public async Task JsonLogsAreOneObjectPerLineWithLevelCategoryAndMessage()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "sidecar.yml"), Config("t"));
        using var sidecar = SidecarProcess.Start(_directory, "--log.format=json", "--log.level=info");
        await sidecar.WaitReadyAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", Body(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000, 0, 10))).StatusCode);
        sidecar.Signal("TERM");
        Assert.Equal(0, await sidecar.WaitForExitAsync(ExitDeadline));

        string[] lines = [.. sidecar.StdoutLines.Where(l => l.Length > 0)];
        output.WriteLine(string.Join('\n', lines));
        Assert.True(lines.Length >= 3, "expected the start, shutdown and snapshot lines");
        var messages = new List<string>();
        foreach (string line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            Assert.Equal(JsonValueKind.Object, root.ValueKind);
            Assert.Contains(root.GetProperty("LogLevel").GetString(), new[] { "Debug", "Information", "Warning", "Error", "Critical" });
            Assert.False(string.IsNullOrEmpty(root.GetProperty("Category").GetString()));
            messages.Add(root.GetProperty("Message").GetString()!);
        }
        Assert.Contains(messages, m => m.StartsWith("Shutting down", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("Snapshot (shutdown)", StringComparison.Ordinal));
    }

    private static ByteArrayContent Body(long t0, int from, int to)
    {
        var series = WriteRequests.Series("t_metric", ("instance", "x"));
        for (int i = from; i < to; i++)
            series.With((t0 + i * 1000L, i));
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return content;
    }

    private static async Task Eventually(SidecarProcess sidecar, Func<string, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition(await sidecar.Http.GetStringAsync("/metrics")))
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            Assert.False(sidecar.Process.HasExited, "the sidecar exited");
            await Task.Delay(200);
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Waits until half the body is on the wire, then a moment for the server to parse the headers (it tracks
    /// the request from then on): a wait for the state, not a guess at how long a connection takes.
    /// </summary>
    private static async Task WhileInFlightAsync(SlowContent content)
    {
        await content.HalfSent.WaitAsync(TimeSpan.FromSeconds(30));
        await Task.Delay(200);
    }

    /// <summary>Sends half the body, then waits for the release task before the rest: a request still in flight.</summary>
    private sealed class SlowContent : HttpContent
    {
        private readonly ByteArrayContent _inner;
        private readonly Task _release;
        private readonly byte[] _body;
        private readonly TaskCompletionSource _halfSent = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes once the headers and the first half of the body are on the wire.</summary>
        public Task HalfSent => _halfSent.Task;

        public SlowContent(ByteArrayContent inner, Task release)
        {
            _inner = inner;
            _release = release;
            _body = inner.ReadAsByteArrayAsync().GetAwaiter().GetResult();
            Headers.ContentType = inner.Headers.ContentType;
            foreach (string encoding in inner.Headers.ContentEncoding)
                Headers.ContentEncoding.Add(encoding);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            int half = _body.Length / 2;
            await stream.WriteAsync(_body.AsMemory(0, half));
            await stream.FlushAsync();
            _halfSent.TrySetResult();
            await _release;
            await stream.WriteAsync(_body.AsMemory(half));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _body.Length;
            return true;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
