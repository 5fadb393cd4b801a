using System.Text.RegularExpressions;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// An alert's <c>runbook_url</c> is what the on-call person clicks at the worst moment, and nothing else
/// would notice when the text moves or a heading is renamed: every <c>runbook_url</c> in every rule file
/// (the shipped rules, their promtool test, the PrometheusRule copy) must name a markdown file of this
/// repository and a heading that exists in it.
/// </summary>
public sealed partial class RunbookLinkTests
{
    [Fact]
    public async Task EveryRunbookUrlNamesAHeadingOfItsMarkdownFile()
    {
        var (exitCode, listing) = await ExternalProgram.RunAsync("git", ["ls-files", "--", "*.yml", "*.yaml"], RepositoryRoot.Path);
        Assert.True(exitCode == 0, listing);
        var problems = new List<string>();
        var filesWithRunbooks = new List<string>();
        foreach (string file in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string text = File.ReadAllText(RepositoryRoot.File(file));
            if (RunbookUrlPattern().IsMatch(text))
                filesWithRunbooks.Add(file);
            problems.AddRange(Problems(text, file));
        }
        // Guards the test itself: if the rules moved or the URLs changed form, it would check nothing.
        Assert.Contains("rules/forecast-sidecar.rules.yml", filesWithRunbooks);
        Assert.Contains("rules/tests/forecast-sidecar.rules.test.yml", filesWithRunbooks);
        Assert.Contains("deploy/kubernetes/prometheusrule.yaml", filesWithRunbooks);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void AMissingAnchorOrFileIsReported()
    {
        const string Rules = """
            annotations:
              runbook_url: 'https://github.com/your-org/forecast-sidecar/blob/main/docs/alerts.md#alert-metricanomalous'
              runbook_url: 'https://github.com/your-org/forecast-sidecar/blob/main/docs/alerts.md#alert-nosuchalert'
              runbook_url: 'https://github.com/your-org/forecast-sidecar/blob/main/docs/nosuchfile.md#alert-metricanomalous'
              runbook_url: 'https://example.com/runbooks/metric-anomalous'
            """;
        var problems = Problems(Rules, "example.yml").ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains("#alert-nosuchalert", problems[0], StringComparison.Ordinal);
        Assert.Contains("docs/nosuchfile.md", problems[1], StringComparison.Ordinal);
        Assert.Contains("example.com", problems[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("### Alert: MetricAnomalous", "alert-metricanomalous")]
    [InlineData("## Operations: readiness, reload and shutdown", "operations-readiness-reload-and-shutdown")]
    [InlineData("### TorchSharp's LSTM without autograd", "torchsharps-lstm-without-autograd")]
    [InlineData("### Time to threshold against predict_linear", "time-to-threshold-against-predict_linear")]
    [InlineData("## `backtest` and [baselines](x.md)", "backtest-and-baselines")]
    public void AnchorsFollowGitHubsRules(string heading, string anchor)
    {
        Assert.Contains(anchor, Markdown.Anchors(heading));
    }

    [Fact]
    public void ARepeatedHeadingGetsANumberedAnchorAndCodeIsNoHeading()
    {
        var anchors = Markdown.Anchors("# Docker\n```sh\n# run: not a heading\n```\n## Docker\n");
        Assert.Equal(["docker", "docker-1"], anchors.Order(StringComparer.Ordinal));
    }

    /// <summary>What is wrong with the runbook URLs in one rule file's text; empty when they all resolve.</summary>
    private static IEnumerable<string> Problems(string text, string file)
    {
        foreach (Match match in RunbookUrlPattern().Matches(text))
        {
            string url = match.Groups[1].Value;
            var target = GitHubBlobPattern().Match(url);
            if (!target.Success)
            {
                yield return $"{file}: runbook_url {url} is not a link to a markdown file of this repository (…/blob/<branch>/<path>.md#<anchor>)";
                continue;
            }
            string path = target.Groups[1].Value, anchor = target.Groups[2].Value;
            string markdown = RepositoryRoot.File(path.Split('/'));
            if (!File.Exists(markdown))
                yield return $"{file}: runbook_url {url}: {path} does not exist";
            else if (!Markdown.Anchors(File.ReadAllText(markdown)).Contains(anchor))
                yield return $"{file}: runbook_url {url}: {path} has no heading with the anchor #{anchor}";
        }
    }

    [GeneratedRegex(@"runbook_url:\s*['""]?([^'""\s]+)")]
    private static partial Regex RunbookUrlPattern();

    // The part after the repository: https://github.com/<owner>/<repo>/blob/<branch>/<path>.md#<anchor>.
    [GeneratedRegex(@"^https://github\.com/[^/]+/[^/]+/blob/[^/]+/([^#]+\.md)#(.+)$")]
    private static partial Regex GitHubBlobPattern();
}
