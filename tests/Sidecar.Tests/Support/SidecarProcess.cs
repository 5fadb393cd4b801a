using System.Collections.Concurrent;
using System.Diagnostics;

namespace Sidecar.Tests.Support;

/// <summary>
/// The built sidecar as a child process (<c>dotnet prometheus-forecast-sidecar.dll</c>) on a free loopback
/// port, with its own config and data directory, so tests can send it real signals and see its exit
/// code and console output. Every wait is bounded; disposing kills it if it still runs.
/// </summary>
internal sealed class SidecarProcess : IDisposable
{
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();

    private readonly string _directory;
    private readonly string[] _flags;
    private int _launches;

    private SidecarProcess(string directory, string[] flags)
    {
        _directory = directory;
        _flags = flags;
        Launch();
    }

    /// <summary>The running process; replaced if the first launch found its port taken (see <see cref="WaitReadyAsync"/>).</summary>
    public Process Process { get; private set; } = null!;

    /// <summary>Points at the running process; take it after <see cref="WaitReadyAsync"/>.</summary>
    public HttpClient Http { get; private set; } = null!;

    public IReadOnlyCollection<string> StdoutLines => _stdout;

    public string Stderr => string.Join('\n', _stderr);

    /// <param name="directory">Holds <c>sidecar.yml</c> (written by the caller) and the <c>data</c> directory.</param>
    public static SidecarProcess Start(string directory, params string[] flags) => new(directory, flags);

    private void Launch()
    {
        _launches++;
        int port = PrometheusServer.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        foreach (string arg in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "prometheus-forecast-sidecar.dll"),
            "--config.file=" + Path.Combine(_directory, "sidecar.yml"),
            "--storage.path=" + Path.Combine(_directory, "data"),
            $"--web.listen-address=127.0.0.1:{port}",
        }.Concat(_flags))
            start.ArgumentList.Add(arg);
        _stdout.Clear();
        _stderr.Clear();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stdout.Enqueue(e.Data);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                _stderr.Enqueue(e.Data);
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Process = process;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>
    /// Waits until the sidecar is ready. Its port was free when chosen, but another process may take it
    /// before the sidecar binds it: then it is started again on another port, at most three times.
    /// </summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (Process.HasExited)
            {
                Process.WaitForExit(); // the last redirected lines are read
                string output = string.Join('\n', _stdout) + "\n" + Stderr;
                if (_launches < 3 && output.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
                {
                    Http.Dispose();
                    Process.Dispose();
                    Launch();
                    continue;
                }
                Assert.Fail($"the sidecar exited at start ({Process.ExitCode}): {output}");
            }
            try
            {
                if ((await Http.GetAsync("/-/ready")).IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        Assert.Fail("the sidecar did not become ready");
    }

    /// <summary>Sends a real signal (<c>TERM</c>, <c>HUP</c>) with kill(1): Process.Kill can only send SIGKILL.</summary>
    public void Signal(string name)
    {
        using var kill = System.Diagnostics.Process.Start("kill", ["-s", name, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(kill.WaitForExit(10_000), "kill(1) did not finish");
        Assert.Equal(0, kill.ExitCode);
    }

    /// <returns>The exit code; fails the test if the process is still running after <paramref name="timeout"/>.</returns>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the sidecar did not exit within {timeout}");
        }
        // The exit event fires before the last redirected lines are read; this waits for them.
        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        Http.Dispose();
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(10_000);
        }
        Process.Dispose();
    }
}
