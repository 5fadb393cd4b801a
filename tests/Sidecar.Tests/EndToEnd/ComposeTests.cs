using System.Text.RegularExpressions;
using Sidecar.Store;
using Sidecar.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// deploy/docker-compose.yml can't be started here (no Docker engine), so its wiring is checked against
/// the repository: what it mounts exists, the configs it mounts are valid for the real promtool and the
/// sidecar's own loader as they will be seen inside the containers, and the addresses in one file are
/// the services and ports of the others.
/// </summary>
public sealed class ComposeTests
{
    private static readonly string DeployDirectory = RepositoryRoot.File("deploy");
    private static readonly YamlMappingNode Compose = Yaml.LoadFile(Path.Combine(DeployDirectory, "docker-compose.yml"));

    private static YamlNode Service(string name) => Compose.At("services", name);

    /// <summary>A service's short-syntax volumes as (source, container path) pairs.</summary>
    private static IEnumerable<(string Source, string Target)> Mounts(string service) =>
        Service(service).Get("volumes") is YamlSequenceNode volumes
            ? volumes.Children.Select(v => ((YamlScalarNode)v).Value!.Split(':')).Select(parts => (parts[0], parts[1]))
            : [];

    private static bool IsBind(string source) => source.StartsWith('.') || source.StartsWith('/');

    /// <summary>The host file or directory bind-mounted at a container path (or the directory above it).</summary>
    private static string HostPathOf(string service, string containerPath)
    {
        foreach (var (source, target) in Mounts(service).Where(m => IsBind(m.Source)))
        {
            if (containerPath == target)
                return Path.GetFullPath(Path.Combine(DeployDirectory, source));
            if (containerPath.StartsWith(target + "/", StringComparison.Ordinal))
                return Path.GetFullPath(Path.Combine(DeployDirectory, source, containerPath[(target.Length + 1)..]));
        }
        throw new Xunit.Sdk.XunitException($"{service}: nothing is mounted at {containerPath}");
    }

    private static string Flag(string service, string flag)
    {
        string prefix = $"--{flag}=";
        string? value = Service(service).Texts("command").FirstOrDefault(arg => arg.StartsWith(prefix, StringComparison.Ordinal));
        return value?[prefix.Length..] ?? throw new Xunit.Sdk.XunitException($"{service}: no --{flag} in its command");
    }

    private static int SidecarPort()
    {
        string? listen = Service("sidecar").Texts("command").FirstOrDefault(arg => arg.StartsWith("--web.listen-address=", StringComparison.Ordinal));
        return Sidecar.Host.ServeFlags.ParseListenAddress(listen?.Split('=', 2)[1] ?? Sidecar.Host.ServeFlags.DefaultListenAddress).Port;
    }

    private static YamlMappingNode PrometheusConfig() =>
        Yaml.LoadFile(HostPathOf("prometheus", Flag("prometheus", "config.file")));

    [Fact]
    public void TheDemoHasPrometheusNodeExporterTheSidecarAndGrafana()
    {
        var services = ((YamlMappingNode)Compose.At("services")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        Assert.Equal(["grafana", "node-exporter", "prometheus", "sidecar"], services.Order());
        // The sidecar is the repository's own image, built from its Dockerfile.
        string context = Path.GetFullPath(Path.Combine(DeployDirectory, Service("sidecar").Text("build", "context")));
        Assert.Equal(Path.GetFullPath(RepositoryRoot.Path), context);
        Assert.True(File.Exists(Path.Combine(context, Service("sidecar").Text("build", "dockerfile"))));
    }

    [Fact]
    public void EveryBindMountedHostPathExistsAndEveryNamedVolumeIsDeclared()
    {
        var declared = ((YamlMappingNode)Compose.At("volumes")).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
        int binds = 0;
        foreach (var entry in ((YamlMappingNode)Compose.At("services")).Children)
        {
            string service = ((YamlScalarNode)entry.Key).Value!;
            foreach (var (source, target) in Mounts(service))
            {
                Assert.StartsWith("/", target);
                if (source.StartsWith('.'))
                {
                    string host = Path.GetFullPath(Path.Combine(DeployDirectory, source));
                    // A missing source would make Docker create an empty directory in its place: a silent failure.
                    Assert.True(Path.Exists(host), $"{service} mounts {source}, which does not exist");
                    Assert.StartsWith(Path.GetFullPath(RepositoryRoot.Path), host);
                    binds++;
                }
                else if (source.StartsWith('/'))
                {
                    // The only host path outside the repository: node-exporter reads the host's filesystems.
                    Assert.Equal(("node-exporter", "/", "/host"), (service, source, target));
                    Assert.Equal(target, Flag("node-exporter", "path.rootfs"));
                }
                else
                {
                    Assert.True(declared.Contains(source), $"{service} uses volume {source}, not declared under volumes:");
                }
            }
        }
        Assert.True(binds >= 6, $"only {binds} repository paths mounted");
    }

    [Fact]
    public async Task PrometheusConfigAsMountedPassesPromtoolAndLoadsEveryShippedRuleFile()
    {
        // Lay the mounted files out under a temporary root exactly as the container sees them, and point
        // the config's absolute container paths into that root: promtool then resolves the same rule files
        // Prometheus will, and a wrong mount or glob shows as a missing rule file.
        string root = Directory.CreateTempSubdirectory("compose-prometheus-").FullName;
        try
        {
            foreach (var (source, target) in Mounts("prometheus").Where(m => m.Source.StartsWith('.')))
                CopyInto(Path.GetFullPath(Path.Combine(DeployDirectory, source)), root + target);
            string configPath = root + Flag("prometheus", "config.file");
            string config = await File.ReadAllTextAsync(configPath);
            var ruleFiles = PrometheusConfig().Texts("rule_files").ToArray();
            Assert.NotEmpty(ruleFiles);
            foreach (string ruleFile in ruleFiles)
            {
                Assert.StartsWith("/", ruleFile);
                config = config.Replace(ruleFile, root + ruleFile, StringComparison.Ordinal);
            }
            await File.WriteAllTextAsync(configPath, config);

            var (exitCode, output) = await PrometheusServer.PromtoolAsync("check", "config", configPath);
            Assert.True(exitCode == 0, output);
            int shipped = Directory.GetFiles(RepositoryRoot.File("rules"), "*.yml").Length;
            Assert.Contains($"SUCCESS: {shipped} rule files found", output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SidecarConfigAsMountedPassesTheSidecarsConfigLoaderAndBackfillsFromTheComposePrometheus()
    {
        var settings = Sidecar.Host.ConfigLoader.LoadFile(HostPathOf("sidecar", Flag("sidecar", "config.file")));
        Assert.NotEmpty(settings.Targets);
        Assert.Equal(Sidecar.Host.DemoMode.Off, settings.Demo);
        var url = settings.Prometheus.BaseUrl ?? throw new Xunit.Sdk.XunitException("no prometheus.url: no backfill");
        Assert.Equal("prometheus", url.Host);
        // Prometheus listens on 9090 unless its command says otherwise.
        Assert.DoesNotContain(Service("prometheus").Texts("command"), arg => arg.StartsWith("--web.listen-address", StringComparison.Ordinal));
        Assert.Equal(9090, url.Port);
    }

    [Fact]
    public void PrometheusRemoteWritesToTheSidecarServiceOnItsListenPortAndScrapesItBack()
    {
        var prometheus = PrometheusConfig();
        var remoteWrite = Assert.Single(prometheus.Items("remote_write"));
        var url = new Uri(remoteWrite.Text("url"));
        Assert.Equal(("sidecar", SidecarPort(), "/api/v1/write"), (url.Host, url.Port, url.AbsolutePath));
        Assert.NotNull(Service(url.Host));

        var jobs = prometheus.Items("scrape_configs").ToDictionary(job => job.Text("job_name"));
        var sidecarJob = jobs["forecast-sidecar"];
        Assert.Equal("true", sidecarJob.Text("honor_labels"));
        Assert.Equal($"sidecar:{SidecarPort()}", Assert.Single(Assert.Single(sidecarJob.Items("static_configs")).Texts("targets")));
        Assert.Equal("node-exporter:9100", Assert.Single(Assert.Single(jobs["node"].Items("static_configs")).Texts("targets")));
        Assert.True(jobs.ContainsKey("prometheus"));
    }

    [Fact]
    public void EverySeriesTheSidecarSelectsPassesPrometheusRemoteWriteFilterAndItsJobIsScraped()
    {
        var prometheus = PrometheusConfig();
        var keep = Assert.Single(Assert.Single(prometheus.Items("remote_write")).Items("write_relabel_configs"));
        Assert.Equal(("keep", "__name__"), (keep.Text("action"), Assert.Single(keep.Texts("source_labels"))));
        // Prometheus anchors relabel regexes at both ends.
        var filter = new Regex($"^(?:{keep.Text("regex")})$");
        var jobs = prometheus.Items("scrape_configs").Select(job => job.Text("job_name")).ToHashSet();

        var settings = Sidecar.Host.ConfigLoader.LoadFile(HostPathOf("sidecar", Flag("sidecar", "config.file")));
        foreach (var target in settings.Targets)
        {
            var matchers = target.Selector?.Matchers ?? throw new Xunit.Sdk.XunitException($"{target.Name}: the demo's targets are selectors");
            var name = matchers.Single(m => m.Name == LabelSet.MetricNameLabel);
            Assert.Equal(Sidecar.Store.MatchType.Equal, name.Type);
            Assert.True(filter.IsMatch(name.Value), $"{target.Name}: {name.Value} is dropped by remote_write's keep regex");
            foreach (var job in matchers.Where(m => m.Name == "job"))
                Assert.True(jobs.Contains(job.Value), $"{target.Name}: selects job=\"{job.Value}\", which Prometheus doesn't scrape");
        }
    }

    [Fact]
    public void GrafanaIsProvisionedWithTheShippedDashboardsAndPrometheusAsDefaultDatasource()
    {
        // Grafana reads provider files directly in provisioning/dashboards and provisioning/datasources,
        // not in their subdirectories.
        var provider = Mounts("grafana").Single(m => m.Source.EndsWith("dashboards/provisioning.yml", StringComparison.Ordinal));
        Assert.Equal("/etc/grafana/provisioning/dashboards", Path.GetDirectoryName(provider.Target));
        var providerFile = Yaml.LoadFile(HostPathOf("grafana", provider.Target));
        string dashboardsPath = Assert.Single(providerFile.Items("providers")).Text("options", "path");
        string dashboards = HostPathOf("grafana", dashboardsPath);
        Assert.Equal(Path.GetFullPath(RepositoryRoot.File("dashboards")), dashboards);
        Assert.Equal(3, Directory.GetFiles(dashboards, "*.json").Length);

        var datasourceMount = Mounts("grafana").Single(m => m.Target.StartsWith("/etc/grafana/provisioning/datasources/", StringComparison.Ordinal));
        Assert.Equal("/etc/grafana/provisioning/datasources", Path.GetDirectoryName(datasourceMount.Target));
        var datasource = Assert.Single(Yaml.LoadFile(HostPathOf("grafana", datasourceMount.Target)).Items("datasources"));
        Assert.Equal(("prometheus", "true"), (datasource.Text("type"), datasource.Text("isDefault")));
        var url = new Uri(datasource.Text("url"));
        Assert.Equal(("prometheus", 9090), (url.Host, url.Port));
    }

    [Fact]
    public void SidecarDataVolumeIsMountedAtTheImagesStoragePath()
    {
        string storage = Service("sidecar").Texts("command")
            .Where(arg => arg.StartsWith("--storage.path=", StringComparison.Ordinal))
            .Select(arg => arg.Split('=', 2)[1])
            .LastOrDefault() ?? DockerfileTests.StoragePath;
        var (source, _) = Assert.Single(Mounts("sidecar"), m => m.Target == storage);
        Assert.False(IsBind(source), "the store belongs in a named volume");
    }

    private static void CopyInto(string source, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (File.Exists(source))
        {
            File.Copy(source, destination);
            return;
        }
        foreach (string file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
    }
}
