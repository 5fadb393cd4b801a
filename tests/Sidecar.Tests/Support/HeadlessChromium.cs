using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sidecar.Tests.Support;

/// <summary>
/// Headless Chromium driven through chromedriver's W3C WebDriver protocol over plain HTTP: a real
/// browser parses, styles and lays out the page, and scripts run in it read back the rendered DOM.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Browser = "/usr/bin/chromium";
    public const string Driver = "/usr/bin/chromedriver";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _driver;
    private readonly HttpClient _http;
    private readonly string _profile;
    private readonly string _session;

    private HeadlessChromium(Process driver, HttpClient http, string profile, string session)
    {
        _driver = driver;
        _http = http;
        _profile = profile;
        _session = session;
    }

    public static async Task<HeadlessChromium> StartAsync(int width = 1280, int height = 900)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(width, height);
            }
            catch (DriverExitedException) when (attempt < 3)
            {
                // Most likely its port was taken between FreePort and chromedriver's bind: another port.
            }
        }
    }

    private sealed class DriverExitedException(string message) : InvalidOperationException(message);

    private static async Task<HeadlessChromium> StartOnceAsync(int width, int height)
    {
        if (!File.Exists(Browser) || !File.Exists(Driver))
            throw new InvalidOperationException($"{Browser} and {Driver} are needed: apt-get install chromium chromium-driver (.ci/run does this)");
        int port = PrometheusServer.FreePort();
        var driver = Process.Start(new ProcessStartInfo(Driver, [$"--port={port}", "--allowed-ips=127.0.0.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("chromedriver did not start");
        // Drain its output so a chatty driver never blocks on a full pipe.
        driver.OutputDataReceived += (_, _) => { };
        driver.ErrorDataReceived += (_, _) => { };
        driver.BeginOutputReadLine();
        driver.BeginErrorReadLine();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = CommandTimeout };
        // A profile of its own, so parallel runs never share (or lock) one.
        string profile = Directory.CreateTempSubdirectory("chromium-test-").FullName;
        try
        {
            await WaitUntilReady(http, driver);
            var capabilities = new JsonObject
            {
                ["capabilities"] = new JsonObject
                {
                    ["alwaysMatch"] = new JsonObject
                    {
                        ["browserName"] = "chrome",
                        // Bounded page loads and scripts (the defaults are five minutes and thirty seconds).
                        ["timeouts"] = new JsonObject { ["pageLoad"] = 30_000, ["script"] = 10_000 },
                        // An alert raised by the page makes the next command fail instead of being dismissed quietly.
                        ["unhandledPromptBehavior"] = "dismiss and notify",
                        ["goog:chromeOptions"] = new JsonObject
                        {
                            ["binary"] = Browser,
                            ["args"] = new JsonArray("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                "--hide-scrollbars", $"--window-size={width},{height}", $"--user-data-dir={profile}"),
                        },
                    },
                },
            };
            var created = await Send(http, HttpMethod.Post, "session", capabilities);
            string session = created["value"]?["sessionId"]?.GetValue<string>() ?? throw new InvalidOperationException("no session id: " + created.ToJsonString());
            return new HeadlessChromium(driver, http, profile, session);
        }
        catch
        {
            Stop(driver, http, profile);
            throw;
        }
    }

    public Task NavigateAsync(Uri url) => Command(HttpMethod.Post, "url", new JsonObject { ["url"] = url.ToString() });

    /// <summary>Runs <paramref name="script"/> (a function body; <c>return</c> gives the result) in the page.</summary>
    public async Task<JsonNode?> ExecuteAsync(string script) =>
        await Command(HttpMethod.Post, "execute/sync", new JsonObject { ["script"] = script, ["args"] = new JsonArray() });

    /// <summary>The viewport as PNG bytes.</summary>
    public async Task<byte[]> ScreenshotAsync() =>
        Convert.FromBase64String((await Command(HttpMethod.Get, "screenshot", null))?.GetValue<string>() ?? throw new InvalidOperationException("no screenshot"));

    private async Task<JsonNode?> Command(HttpMethod method, string path, JsonObject? body) =>
        (await Send(_http, method, $"session/{_session}/{path}", body))["value"];

    private static async Task<JsonObject> Send(HttpClient http, HttpMethod method, string path, JsonObject? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // With a Content-Length: chromedriver's HTTP server does not read chunked bodies.
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }
        using var response = await http.SendAsync(request);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync()) as JsonObject ?? throw new InvalidOperationException($"{path}: not a JSON object");
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"WebDriver {method} {path}: {(int)response.StatusCode} {json["value"]?.ToJsonString()}");
        return json;
    }

    private static async Task WaitUntilReady(HttpClient http, Process driver)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (driver.HasExited)
                throw new DriverExitedException($"chromedriver exited with {driver.ExitCode}");
            try
            {
                var status = await http.GetFromJsonAsync<JsonElement>("status");
                if (status.GetProperty("value").GetProperty("ready").GetBoolean())
                    return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("chromedriver not ready within 20 s");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Ends the browser the driver started; the kill below covers a driver that no longer answers.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _http.DeleteAsync($"session/{_session}", timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
        }
        Stop(_driver, _http, _profile);
    }

    private static void Stop(Process driver, HttpClient http, string profile)
    {
        http.Dispose();
        if (!driver.HasExited)
        {
            driver.Kill(entireProcessTree: true);
            driver.WaitForExit(10_000);
        }
        driver.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
