using System.Text.RegularExpressions;
using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// The README walks a newcomer from their own Prometheus to forecasts of node_load1 with two snippets
/// they will copy as they are. Both must be accepted by the programs that read them: the sidecar's
/// config by its own loader, Prometheus' part by the real promtool.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    private static readonly string Readme = File.ReadAllText(RepositoryRoot.File("README.md"));

    /// <summary>The README's YAML snippets, in order.</summary>
    internal static string[] YamlBlocks() => [.. YamlBlock().Matches(Readme).Select(m => m.Groups[1].Value)];

    [Fact]
    public void TheSidecarConfigLoadsAndSelectsNodeLoad1()
    {
        string config = Assert.Single(YamlBlocks(), block => block.StartsWith("# my-sidecar.yml", StringComparison.Ordinal));
        var settings = ConfigLoader.Load(config, "README.md");
        var target = Assert.Single(settings.Targets);
        Assert.Contains("node_load1", target.Selector!.ToString(), StringComparison.Ordinal);
        Assert.NotNull(settings.Prometheus.BaseUrl);
    }

    [Fact]
    public async Task PrometheusSnippetPassesPromtoolAndKeepsWhatTheSidecarSelects()
    {
        string snippet = Assert.Single(YamlBlocks(), block => block.Contains("remote_write:", StringComparison.Ordinal));
        Assert.Contains("honor_labels: true", snippet, StringComparison.Ordinal);
        Assert.Matches(@"url: http://localhost:9201/api/v1/write", snippet);
        // The relabelling keeps node_load1 (an anchored regex, as Prometheus applies it).
        string keep = Regex.Match(snippet, @"regex: '([^']+)'").Groups[1].Value;
        Assert.Matches($"^(?:{keep})$", "node_load1");

        using var directory = new TemporaryDirectory("readme-prometheus-");
        string file = Path.Combine(directory.FullName, "prometheus.yml");
        await File.WriteAllTextAsync(file, snippet);
        var (exitCode, output) = await PrometheusServer.PromtoolAsync("check", "config", file);
        Assert.True(exitCode == 0, output);
    }

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
