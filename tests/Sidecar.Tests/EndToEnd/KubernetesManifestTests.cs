using System.Globalization;
using System.Text.RegularExpressions;
using Sidecar.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// No cluster runs here, so deploy/kubernetes is checked by its cross-references: the selectors select
/// the labels that exist, ports and mount paths agree with the sidecar's flags, the ConfigMap is a valid
/// sidecar config, the PrometheusRule is the shipped rules file, and the resources cover what
/// docs/performance.md reports as measured.
/// </summary>
public sealed class KubernetesManifestTests
{
    private static readonly string ManifestDirectory = RepositoryRoot.File("deploy", "kubernetes");

    private static YamlMappingNode Manifest(string file) => Yaml.LoadFile(Path.Combine(ManifestDirectory, file));

    private static readonly YamlMappingNode StatefulSet = Manifest("statefulset.yaml");
    private static readonly YamlMappingNode Service = Manifest("service.yaml");
    private static readonly YamlNode Pod = StatefulSet.At("spec", "template", "spec");
    private static readonly YamlNode Container = Assert.Single(Pod.Items("containers"));

    /// <summary>The value of a --flag in the container's args; null when not given.</summary>
    private static string? Arg(string flag)
    {
        string prefix = $"--{flag}=";
        return Container.Texts("args").LastOrDefault(arg => arg.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
    }

    private static bool IsSubsetOf(Dictionary<string, string> selector, Dictionary<string, string> labels) =>
        selector.Count > 0 && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    [Fact]
    public void KustomizationListsEveryManifestOnce()
    {
        var kustomization = Manifest("kustomization.yaml");
        var resources = kustomization.Texts("resources").ToArray();
        Assert.Equal(resources.Length, resources.Distinct().Count());
        var onDisk = Directory.GetFiles(ManifestDirectory, "*.yaml").Select(Path.GetFileName).Where(f => f != "kustomization.yaml");
        Assert.Equal(onDisk.Order(), resources.Order());
        var kinds = resources.Select(r => Manifest(r).Text("kind")).Order();
        Assert.Equal(["ConfigMap", "PrometheusRule", "Service", "ServiceMonitor", "StatefulSet"], kinds);
    }

    [Fact]
    public void SelectorsSelectThePodsAndTheHeadlessServiceGivesEachPodAName()
    {
        var podLabels = StatefulSet.StringMap("spec", "template", "metadata", "labels");
        Assert.True(IsSubsetOf(StatefulSet.StringMap("spec", "selector", "matchLabels"), podLabels), "the StatefulSet's selector misses its own pods");
        Assert.True(IsSubsetOf(Service.StringMap("spec", "selector"), podLabels), "the Service selects no sidecar pod");
        // Per-pod DNS names (what a sharded Prometheus remote-writes to) need a headless governing Service.
        Assert.Equal(Service.Text("metadata", "name"), StatefulSet.Text("spec", "serviceName"));
        Assert.Equal("None", Service.Text("spec", "clusterIP"));
    }

    [Fact]
    public void PortsProbesAndServiceMonitorAgreeWithTheListenAddress()
    {
        int listen = Sidecar.Host.ServeFlags.ParseListenAddress(Arg("web.listen-address") ?? Sidecar.Host.ServeFlags.DefaultListenAddress).Port;
        var port = Assert.Single(Container.Items("ports"));
        string portName = port.Text("name");
        Assert.Equal(listen.ToString(CultureInfo.InvariantCulture), port.Text("containerPort"));

        var servicePort = Assert.Single(Service.Items("spec", "ports"));
        Assert.Equal(portName, servicePort.Text("targetPort"));
        Assert.Equal(listen.ToString(CultureInfo.InvariantCulture), servicePort.Text("port"));

        // The probes are the sidecar's own endpoints, on the same port.
        Assert.Equal(("/-/ready", portName), (Container.Text("readinessProbe", "httpGet", "path"), Container.Text("readinessProbe", "httpGet", "port")));
        Assert.Equal(("/-/healthy", portName), (Container.Text("livenessProbe", "httpGet", "path"), Container.Text("livenessProbe", "httpGet", "port")));

        var monitor = Manifest("servicemonitor.yaml");
        Assert.Equal(("monitoring.coreos.com/v1", "ServiceMonitor"), (monitor.Text("apiVersion"), monitor.Text("kind")));
        Assert.True(IsSubsetOf(monitor.StringMap("spec", "selector", "matchLabels"), Service.StringMap("metadata", "labels")), "the ServiceMonitor selects no Service");
        var endpoint = Assert.Single(monitor.Items("spec", "endpoints"));
        Assert.Equal((servicePort.Text("name"), "/metrics", "true"), (endpoint.Text("port"), endpoint.Text("path"), endpoint.Text("honorLabels")));
    }

    [Fact]
    public void TheVolumeClaimIsMountedAtStoragePathAndTheConfigMapKeyAtConfigFile()
    {
        var mounts = Container.Items("volumeMounts").ToDictionary(m => m.Text("name"), m => m.Text("mountPath"));

        string claim = Assert.Single(StatefulSet.Items("spec", "volumeClaimTemplates")).Text("metadata", "name");
        Assert.Equal(Arg("storage.path"), mounts[claim]);

        string config = Arg("config.file") ?? throw new Xunit.Sdk.XunitException("no --config.file");
        var configVolume = Assert.Single(Pod.Items("volumes"), v => v.Get("configMap") is not null);
        string mountPath = mounts[configVolume.Text("name")];
        Assert.Equal(mountPath, Path.GetDirectoryName(config));
        var configMap = Manifest("configmap.yaml");
        Assert.Equal(configMap.Text("metadata", "name"), configVolume.Text("configMap", "name"));
        Assert.NotNull(configMap.At("data").Get(Path.GetFileName(config)));
    }

    [Fact]
    public void ConfigMapsSidecarConfigPassesTheSidecarsConfigLoader()
    {
        string config = Path.GetFileName(Arg("config.file")!);
        var settings = Sidecar.Host.ConfigLoader.Load(Manifest("configmap.yaml").Text("data", config), "configmap.yaml");
        Assert.NotEmpty(settings.Targets);
        Assert.Equal(Sidecar.Host.DemoMode.Off, settings.Demo);
    }

    [Fact]
    public void PrometheusRuleGroupsAreExactlyTheShippedRulesFile()
    {
        // prometheusrule.yaml is written by generate-prometheusrule.sh; this keeps the copy from drifting.
        var rule = Manifest("prometheusrule.yaml");
        Assert.Equal(("monitoring.coreos.com/v1", "PrometheusRule"), (rule.Text("apiVersion"), rule.Text("kind")));
        var shipped = Yaml.Plain(Yaml.LoadFile(RepositoryRoot.File("rules", "forecast-sidecar.rules.yml")).At("groups"));
        var copy = Yaml.Plain(rule.At("spec", "groups"));
        Assert.True(Yaml.PlainEquals(shipped, copy), "prometheusrule.yaml differs from rules/forecast-sidecar.rules.yml: run deploy/kubernetes/generate-prometheusrule.sh");
    }

    [Fact]
    public void RunsAsTheImagesNonRootUserWithoutPrivileges()
    {
        string uid = DockerfileTests.UserId.ToString(CultureInfo.InvariantCulture);
        var pod = Pod.At("securityContext");
        Assert.Equal(("true", uid, uid), (pod.Text("runAsNonRoot"), pod.Text("runAsUser"), pod.Text("fsGroup")));
        var container = Container.At("securityContext");
        Assert.Equal(("false", "true"), (container.Text("allowPrivilegeEscalation"), container.Text("readOnlyRootFilesystem")));
        Assert.Equal(["ALL"], container.Texts("capabilities", "drop"));
    }

    [Fact]
    public void MemoryIsSizedFromTheMeasuredFootprintInThePerformanceDocs()
    {
        // docs/performance.md, "Store at production scale", 100k series × 7 d: the store and the pipeline
        // serving it, steady; the peaks of a snapshot and of the restore at start; and model.combine's state
        // (on by default at the ConfigMap's 1m steps), which the served run doesn't build. The request must
        // hold the steady footprint, the limit the worst peak, so a measurement that outgrows the manifest fails here.
        string performance = File.ReadAllText(RepositoryRoot.File("docs", "performance.md"));
        double filledGiB = Figure(performance, @"process RSS with the store filled \*\*([\d.]+) GiB\*\*");
        double servedGiB = Figure(performance, @"store and pipeline served together, steady RSS ([\d.]+) GiB");
        double snapshotPeakGiB = Figure(performance, @"snapshot peak RSS ([\d.]+) GiB");
        double restorePeakGiB = Figure(performance, @"restore peak RSS ([\d.]+) GiB");
        double snapshotGB = Figure(performance, @"snapshot and restore of those 100k series \(([\d.]+) GB file\)");
        double combinationBytes = Figure(performance, @"combination state (\d+) bytes per series") * 100_000;

        const double GiB = 1L << 30;
        double steady = servedGiB * GiB + combinationBytes;
        // A snapshot runs while the pipeline serves; the restore runs at start, before any pipeline state.
        double peak = Math.Max(restorePeakGiB * GiB, steady + (snapshotPeakGiB - filledGiB) * GiB);
        var resources = Container.At("resources");
        Assert.True(Bytes(resources.Text("requests", "memory")) >= steady, "the memory request is below the measured store, pipeline and combination state");
        Assert.True(Bytes(resources.Text("limits", "memory")) >= peak, "the memory limit is below the measured peak of a snapshot while serving, or of the restore");
        // The snapshot is written beside the previous one, then renamed over it.
        string storage = Assert.Single(StatefulSet.Items("spec", "volumeClaimTemplates")).Text("spec", "resources", "requests", "storage");
        Assert.True(Bytes(storage) >= 2 * snapshotGB * 1e9, "the volume can't hold two snapshots");

        // Those figures are for 100k series: the ConfigMap must not allow more.
        string config = Path.GetFileName(Arg("config.file")!);
        var settings = Sidecar.Host.ConfigLoader.Load(Manifest("configmap.yaml").Text("data", config));
        Assert.InRange(settings.Limits.MaxSeries, 1, 100_000);
    }

    /// <summary>The number a pattern captures; fails naming the pattern when the text no longer says it.</summary>
    private static double Figure(string text, string pattern)
    {
        var match = Regex.Match(text, pattern);
        Assert.True(match.Success, $"docs/performance.md no longer matches {pattern}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static double Bytes(string quantity)
    {
        var match = Regex.Match(quantity, @"^(\d+)(Ki|Mi|Gi|Ti|k|M|G|T)?$");
        Assert.True(match.Success, quantity);
        double unit = match.Groups[2].Value switch
        {
            "" => 1, "Ki" => 1L << 10, "Mi" => 1L << 20, "Gi" => 1L << 30, "Ti" => 1L << 40,
            "k" => 1e3, "M" => 1e6, "G" => 1e9, _ => 1e12,
        };
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * unit;
    }
}
