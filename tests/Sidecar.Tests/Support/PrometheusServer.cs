using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace Sidecar.Tests.Support;

/// <summary>
/// A real Prometheus (the Debian package's binary), started on 127.0.0.1 with a temporary data
/// directory, and a small client for its HTTP API. Killed on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";
    public const string Promtool = "/usr/bin/promtool";

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringWriter _log = new();

    private PrometheusServer(Process process, string directory, Uri address, WebAccess? web)
    {
        _process = process;
        _directory = directory;
        Address = address;
        Http = new HttpClient(web?.Handler() ?? new SocketsHttpHandler()) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        Http.DefaultRequestHeaders.Authorization = web?.Authorization;
    }

    /// <summary>Prometheus' own <c>--web.config.file</c> (TLS, basic auth), and how the test's client gets through it.</summary>
    /// <param name="Tls">The web config has tls_server_config: the address is https.</param>
    public sealed record WebAccess(string ConfigYaml, bool Tls, Func<HttpMessageHandler> Handler, System.Net.Http.Headers.AuthenticationHeaderValue? Authorization);

    public Uri Address { get; }

    public HttpClient Http { get; }

    public string Log
    {
        get
        {
            lock (_log)
                return _log.ToString();
        }
    }

    public static void RequireInstalled()
    {
        if (!File.Exists(Binary) || !File.Exists(Promtool))
            throw new InvalidOperationException($"{Binary} and {Promtool} are needed: apt-get install prometheus (.ci/run does this)");
    }

    /// <param name="configYaml">prometheus.yml content; rule files are written beside it.</param>
    /// <param name="history">History to serve from the start; an empty TSDB when null.</param>
    /// <param name="web">Serve TLS and/or basic auth; plain HTTP when null.</param>
    /// <param name="port">Listen on this loopback port (one a client already points at); a free one by default.</param>
    public static async Task<PrometheusServer> StartAsync(string configYaml, IReadOnlyDictionary<string, string>? files = null, PrometheusHistory? history = null, WebAccess? web = null,
        int? port = null)
    {
        RequireInstalled();
        string directory = Directory.CreateTempSubdirectory("prometheus-test-").FullName;
        string data = Path.Combine(directory, "data");
        if (history is not null)
            await history.WriteAsync(data);
        string config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, configYaml);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
            await File.WriteAllTextAsync(Path.Combine(directory, name), content);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnPortAsync(directory, config, data, web, port ?? FreePort());
            }
            catch (PortTakenException) when (attempt < 3 && port is null)
            {
                // Another process bound the port between FreePort and Prometheus: try another.
            }
            catch
            {
                Directory.Delete(directory, recursive: true);
                throw;
            }
        }
    }

    private sealed class PortTakenException(string message) : InvalidOperationException(message);

    private static async Task<PrometheusServer> StartOnPortAsync(string directory, string config, string data, WebAccess? web, int port)
    {
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = directory,
        };
        foreach (string arg in new[]
        {
            "--config.file=" + config,
            "--storage.tsdb.path=" + data,
            // Backfilled history may be older than the default 15 days of retention would keep.
            "--storage.tsdb.retention.time=3650d",
            "--web.listen-address=127.0.0.1:" + port,
            "--log.level=info",
        })
            start.ArgumentList.Add(arg);
        if (web is not null)
        {
            string webConfig = Path.Combine(directory, "web.yml");
            await File.WriteAllTextAsync(webConfig, web.ConfigYaml);
            start.ArgumentList.Add("--web.config.file=" + webConfig);
        }
        var process = Process.Start(start)!;
        var server = new PrometheusServer(process, directory, new Uri($"{(web?.Tls == true ? "https" : "http")}://127.0.0.1:{port}"), web);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await server.WaitReadyAsync();
        }
        catch
        {
            // Not DisposeAsync: that deletes the directory, which a retry on another port still needs.
            server.Http.Dispose();
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
        return server;
    }

    private void Append(string? line)
    {
        if (line is null)
            return;
        lock (_log)
            _log.WriteLine(line);
    }

    private async Task WaitReadyAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync(); // the output readers have drained the log
                string log = Log;
                if (log.Contains("address already in use", StringComparison.Ordinal))
                    throw new PortTakenException("prometheus' port was taken:\n" + log);
                throw new InvalidOperationException("prometheus exited at start:\n" + log);
            }
            try
            {
                if ((await Http.GetAsync("/-/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("prometheus did not become ready:\n" + Log);
    }

    /// <summary>Runs an instant query and returns the result vector's elements.</summary>
    public async Task<JsonElement[]> QueryAsync(string promql)
    {
        string json = await Http.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Runs a range query with one result series; returns its points.</summary>
    public async Task<(long TimestampMs, double Value)[]> QueryRangeAsync(string promql, long startMs, long endMs, long stepMs)
    {
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        string url = $"/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={(startMs / 1000.0).ToString(invariant)}&end={(endMs / 1000.0).ToString(invariant)}&step={(stepMs / 1000.0).ToString(invariant)}";
        using var document = JsonDocument.Parse(await Http.GetStringAsync(url));
        var result = document.RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
            return [];
        return result[0].GetProperty("values").EnumerateArray()
            .Select(p => ((long)Math.Round(p[0].GetDouble() * 1000), double.Parse(p[1].GetString()!, invariant)))
            .ToArray();
    }

    /// <summary>Active alerts as (name, state) pairs.</summary>
    public async Task<(string Name, string State)[]> AlertsAsync()
    {
        string json = await Http.GetStringAsync("/api/v1/alerts");
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray()
            .Select(a => (a.GetProperty("labels").GetProperty("alertname").GetString()!, a.GetProperty("state").GetString()!))
            .ToArray();
    }

    /// <summary>Runs promtool and returns its exit code and output.</summary>
    public static Task<(int ExitCode, string Output)> PromtoolAsync(params string[] args)
    {
        RequireInstalled();
        return ExternalProgram.RunAsync(Promtool, args);
    }

    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port that was free a moment ago and that no other test of this run was given. Another
    /// process can still take it before the server binds it, so servers that fail to bind retry on another.
    /// </summary>
    public static int FreePort()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (HandedOut)
            {
                if (HandedOut.Add(port) || attempt >= 100)
                    return port;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
