using Sidecar.Tests.Support;

namespace Sidecar.Tests.Host;

/// <summary>
/// <c>check config FILE...</c>: every config the repository ships passes it, and a broken one fails it with
/// every bad key named, exit code 1 and nothing started.
/// </summary>
public sealed class CheckConfigCommandTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new("check-config-");

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Every sidecar config in git: the default next to the program and those under deploy/.</summary>
    private static async Task<string[]> ShippedConfigsAsync()
    {
        var (exitCode, listing) = await ExternalProgram.RunAsync("git", ["ls-files", "*sidecar.yml", "*sidecar.yaml"], RepositoryRoot.Path);
        Assert.True(exitCode == 0, listing);
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    [Fact]
    public async Task EveryShippedSidecarConfigPasses()
    {
        string[] shipped = await ShippedConfigsAsync();
        Assert.Contains("src/Sidecar/sidecar.yml", shipped);
        Assert.Contains("deploy/sidecar.yml", shipped);
        foreach (string config in shipped)
        {
            var (exitCode, output, error) = await CommandLineRun.InvokeAsync("check", "config", RepositoryRoot.File(config));
            Assert.True(exitCode == 0, $"{config}:\n{output}{error}");
            Assert.Contains(" SUCCESS: ", output);
            Assert.Equal("", error);
        }
    }

    [Fact]
    public async Task TheConfigEmbeddedInTheKubernetesConfigMapPasses()
    {
        var configMap = Yaml.LoadFile(RepositoryRoot.File("deploy", "kubernetes", "configmap.yaml"));
        var configs = configMap.StringMap("data");
        Assert.NotEmpty(configs);
        foreach (var (name, text) in configs)
        {
            var (exitCode, output, error) = await CommandLineRun.InvokeAsync("check", "config", Write(name, text));
            Assert.True(exitCode == 0, $"configmap.yaml data.{name}:\n{output}{error}");
            Assert.Contains("target node_load: selector node_load1{job=\"node-exporter\"}, step 1m, horizons 5m, 30m, 1h", output);
        }
    }

    [Fact]
    public async Task PrintsEachTargetWithItsSelectorStepAndHorizonsAndTheBuiltInDemo()
    {
        string config = Write("sidecar.yml", """
            prometheus:
              url: http://127.0.0.1:9090
            targets:
              - name: load
                selector: 'node_load1{job="node"}'
                step: 15s
                horizons: [5m, 1h]
              - name: errors
                query: 'sum(rate(http_requests_total{code=~"5.."}[5m]))'
                step: 1m
                horizons: [30m]
            """);
        var (exitCode, output, error) = await CommandLineRun.InvokeAsync("check", "config", config);
        Assert.True(exitCode == 0, error);
        Assert.Equal(
            [
                $"Checking {config}",
                "  target load: selector node_load1{job=\"node\"}, step 15s, horizons 5m, 1h",
                "  target errors: query sum(rate(http_requests_total{code=~\"5..\"}[5m])), step 1m, horizons 30m",
                "  target demo: selector {__name__=~\"demo_.+\"}, step 15s, horizons 5m, 30m, 1h (built in: demo.mode is auto)",
                $" SUCCESS: {config} is a valid sidecar config: 3 target(s)",
            ],
            output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task ABrokenConfigFailsNamingEveryBadKey()
    {
        string config = Write("broken.yml", """
            demo:
              mode: sometimes
            limit:
              max_series: 10
            targets:
              - name: cpu
                selector: 'node_load1{job="node"'
                stepp: 1m
                horizons: [90s]
              - name: memory
                selector: up
                model:
                  hiden_size: 8
                  learning_rate: 2
            """);
        var (exitCode, output, error) = await CommandLineRun.InvokeAsync("check", "config", config);
        Assert.Equal(1, exitCode);
        Assert.Equal($"Checking {config}\n", output);
        Assert.StartsWith($"  FAILED: {config}: invalid configuration:", error);
        Assert.Contains("line 3, column 1: unknown key 'limit'; did you mean 'limits'?", error);
        Assert.Contains("targets[0]: line 8, column 5: unknown key 'stepp'; did you mean 'step'?", error);
        Assert.Contains("targets[1].model: line 13, column 7: unknown key 'hiden_size'; did you mean 'hidden_size'?", error);
        Assert.Contains("demo.mode: 'sometimes' is not one of auto, on, off", error);
        Assert.Contains("targets[0].selector: ", error);
        Assert.Contains("targets[0].horizons[0]: 90s is not a whole number of steps of 1m", error);
        Assert.Contains("targets[1].model.learning_rate: 2 must be in (0, 1)", error);
    }

    [Fact]
    public async Task AMissingFileFails()
    {
        string missing = Path.Combine(_directory.FullName, "absent.yml");
        var (exitCode, _, error) = await CommandLineRun.InvokeAsync("check", "config", missing);
        Assert.Equal(1, exitCode);
        Assert.Contains($"FAILED: config: cannot read {missing}", error);
    }

    [Fact]
    public async Task AYamlSyntaxErrorFailsWithItsLine()
    {
        string config = Write("syntax.yml", "targets:\n  - name: cpu\n    selector: [up\n");
        var (exitCode, _, error) = await CommandLineRun.InvokeAsync("check", "config", config);
        Assert.Equal(1, exitCode);
        Assert.Contains($"FAILED: {config}: line 4, column 1: ", error);
    }

    [Fact]
    public async Task ChecksEveryFileGivenAndFailsIfAnyFails()
    {
        string good = Write("good.yml", "demo:\n  mode: off\ntargets:\n  - name: up\n    selector: up\n");
        string bad = Write("bad.yml", "targets:\n  - name: up\n    selector: up\n    step: soon\n");
        var (exitCode, output, error) = await CommandLineRun.InvokeAsync("check", "config", good, bad);
        Assert.Equal(1, exitCode);
        Assert.Contains($" SUCCESS: {good} is a valid sidecar config: 1 target(s)", output);
        Assert.Contains($"Checking {bad}", output);
        Assert.Contains("targets[0].step: 'soon' is not a positive duration", error);
    }

    [Fact]
    public async Task WithoutAFileItIsAUsageError()
    {
        var (exitCode, _, error) = await CommandLineRun.InvokeAsync("check", "config");
        Assert.Equal(2, exitCode);
        Assert.Contains("prometheus-forecast-sidecar check config: ", error);
        Assert.Contains("See 'prometheus-forecast-sidecar check config --help'.", error);
    }

    /// <summary>
    /// The built program, as a user or the image runs it (the ENTRYPOINT puts --storage.path first): it exits 0
    /// at once and leaves no data directory, so nothing was started.
    /// </summary>
    [Fact]
    public async Task TheProgramChecksAConfigAndStartsNothing()
    {
        string storage = Path.Combine(_directory.FullName, "data");
        var (exitCode, output) = await ExternalProgram.RunAsync("dotnet",
            [Path.Combine(AppContext.BaseDirectory, "prometheus-forecast-sidecar.dll"), "--storage.path=" + storage,
                "check", "config", RepositoryRoot.File("src", "Sidecar", "sidecar.yml")],
            _directory.FullName);
        Assert.True(exitCode == 0, output);
        Assert.Contains(" SUCCESS: ", output);
        Assert.False(Directory.Exists(storage), "check config created the storage directory");
        Assert.Empty(Directory.GetFileSystemEntries(_directory.FullName));
    }

    public void Dispose() => _directory.Dispose();
}
