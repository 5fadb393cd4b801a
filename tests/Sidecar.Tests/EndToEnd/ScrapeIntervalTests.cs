using Sidecar.Host;
using Sidecar.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// Every Prometheus config the repository ships or shows scrapes the sidecar at least twice per step of
/// the sidecar config it goes with. <c>anomaly_novelty</c> is a pulse that stays on /metrics for one step.
/// Scraped once a step, with the step's processing drifting against the scrapes (it runs when the
/// remote-written samples arrive), two scrapes can fall on either side of a step's whole time on /metrics:
/// its pulse is never seen and the alerts built on it stay silent. Scraped twice a step, every step's
/// values are scraped at least once.
/// </summary>
public sealed class ScrapeIntervalTests
{
    // Prometheus' own default when neither the job nor global sets scrape_interval.
    private static readonly TimeSpan PrometheusDefaultInterval = TimeSpan.FromMinutes(1);

    [Fact]
    public void TheReadmesPrometheusSnippetScrapesTwiceAStepOfTheReadmesSidecarConfig()
    {
        string[] blocks = ReadmeWalkthroughTests.YamlBlocks();
        string sidecar = Assert.Single(blocks, block => block.StartsWith("# my-sidecar.yml", StringComparison.Ordinal));
        string prometheus = Assert.Single(blocks, block => block.Contains("remote_write:", StringComparison.Ordinal));
        AssertTwiceAStep(SidecarJobInterval(Yaml.Parse(prometheus, "README.md")), ConfigLoader.Load(sidecar, "README.md"), "README.md");
    }

    [Theory]
    [InlineData("prometheus.yml", "src/Sidecar/sidecar.yml")]
    [InlineData("deploy/prometheus.yml", "deploy/sidecar.yml")]
    [InlineData("deploy/sharding/prometheus.yml", "deploy/sharding/sidecar.yml")]
    public void AShippedPrometheusConfigScrapesTwiceAStepOfItsSidecarConfig(string prometheusFile, string sidecarFile)
    {
        var prometheus = Yaml.LoadFile(RepositoryRoot.File(prometheusFile.Split('/')));
        var settings = ConfigLoader.Load(File.ReadAllText(RepositoryRoot.File(sidecarFile.Split('/'))), sidecarFile);
        AssertTwiceAStep(SidecarJobInterval(prometheus), settings, prometheusFile);
    }

    [Fact]
    public void TheServiceMonitorScrapesTwiceAStepOfTheConfigMapsSidecarConfig()
    {
        string directory = RepositoryRoot.File("deploy", "kubernetes");
        var monitor = Yaml.LoadFile(Path.Combine(directory, "servicemonitor.yaml"));
        var endpoint = Assert.Single(monitor.Items("spec", "endpoints"));
        // A ServiceMonitor without an interval takes the Prometheus' global one, which it can't tell.
        Assert.True(PromDuration.TryParse(endpoint.Text("interval"), out TimeSpan interval), "servicemonitor.yaml: interval");
        var data = (YamlMappingNode)Yaml.LoadFile(Path.Combine(directory, "configmap.yaml")).At("data");
        string config = ((YamlScalarNode)Assert.Single(data.Children).Value).Value!;
        AssertTwiceAStep(interval, ConfigLoader.Load(config, "configmap.yaml"), "servicemonitor.yaml");
    }

    /// <summary>How often a Prometheus config scrapes its <c>forecast-sidecar</c> job: the job's interval, else the global one, else Prometheus' default.</summary>
    private static TimeSpan SidecarJobInterval(YamlNode prometheus)
    {
        var job = Assert.Single(prometheus.Items("scrape_configs"), j => j.Text("job_name") == "forecast-sidecar");
        string? text = job.TextOrNull("scrape_interval") ?? prometheus.Get("global")?.TextOrNull("scrape_interval");
        if (text is null)
            return PrometheusDefaultInterval;
        Assert.True(PromDuration.TryParse(text, out TimeSpan interval), $"scrape_interval '{text}'");
        return interval;
    }

    private static void AssertTwiceAStep(TimeSpan interval, SidecarSettings settings, string source)
    {
        Assert.NotEmpty(settings.Targets);
        long shortestStepMs = settings.Targets.Min(t => t.StepMs);
        Assert.True(interval.TotalMilliseconds * 2 <= shortestStepMs,
            $"{source} scrapes the sidecar every {interval.TotalSeconds} s, but its shortest step is {shortestStepMs / 1000.0} s: a one-step anomaly_novelty pulse can fall between two scrapes");
    }
}
