using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sidecar.Store;
using Sidecar.Tests.Support;
using Xunit.Abstractions;
using YamlDotNet.RepresentationModel;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// deploy/sharding/prometheus.yml: N sidecar replicas, each fed by its own remote_write entry that keeps
/// one hashmod shard of the `instance` label. Checked statically (promtool, shape, names of the
/// Kubernetes replicas) and for real: Prometheus 2.42 with the shipped relabel rules, two sidecar hosts
/// and six instances, where every series must reach exactly one replica and an instance never splits.
/// </summary>
public sealed class ShardingTests(ITestOutputHelper output)
{
    private static readonly string ShardingConfig = RepositoryRoot.File("deploy", "sharding", "prometheus.yml");

    private sealed record Shard(int Number, int Modulus, YamlNode Entry);

    /// <summary>Each remote_write entry with the shard its relabel rules keep; fails on any other shape.</summary>
    private static Shard[] Shards(YamlNode config) => config.Items("remote_write").Select(entry =>
    {
        var rules = entry.Items("write_relabel_configs");
        int hashmod = rules.ToList().FindIndex(rule => rule.TextOrNull("action") == "hashmod");
        Assert.True(hashmod >= 0, $"{entry.Text("name")}: no hashmod rule");
        var hash = rules[hashmod];
        // The shard key: instance keeps every series of a machine on one replica.
        Assert.Equal(["instance"], hash.Texts("source_labels"));
        string shardLabel = hash.Text("target_label");
        Assert.StartsWith("__tmp_", shardLabel); // dropped before sending, never stored in the sidecar
        // The very next rule keeps one shard number.
        var keep = rules[hashmod + 1];
        Assert.Equal(("keep", shardLabel), (keep.Text("action"), Assert.Single(keep.Texts("source_labels"))));
        return new Shard(int.Parse(keep.Text("regex"), CultureInfo.InvariantCulture), int.Parse(hash.Text("modulus"), CultureInfo.InvariantCulture), entry);
    }).ToArray();

    /// <summary>Prometheus' hashmod: the last 8 bytes of the MD5 of the value, big-endian, modulo N.</summary>
    private static int ShardOf(string instance, int modulus) =>
        (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(MD5.HashData(System.Text.Encoding.UTF8.GetBytes(instance)).AsSpan(8)) % (ulong)modulus);

    [Fact]
    public async Task ShardingConfigPassesPromtoolCheckConfig()
    {
        var (exitCode, text) = await PrometheusServer.PromtoolAsync("check", "config", ShardingConfig);
        Assert.True(exitCode == 0, text);
        Assert.Contains("SUCCESS: 1 rule files found", text);
    }

    [Fact]
    public void OneRemoteWritePerReplicaKeepsEachShardOnceAndEveryReplicaIsScraped()
    {
        var config = Yaml.LoadFile(ShardingConfig);
        var shards = Shards(config);
        Assert.True(shards.Length >= 2);
        Assert.All(shards, shard => Assert.Equal(shards.Length, shard.Modulus));
        Assert.Equal(Enumerable.Range(0, shards.Length), shards.Select(s => s.Number).Order());

        var writeTargets = shards.Select(s => new Uri(s.Entry.Text("url"))).ToArray();
        Assert.All(writeTargets, url => Assert.Equal("/api/v1/write", url.AbsolutePath));
        var sidecarJob = Assert.Single(config.Items("scrape_configs"), job => job.Text("job_name") == "forecast-sidecar");
        Assert.Equal("true", sidecarJob.Text("honor_labels"));
        var scraped = sidecarJob.Items("static_configs").SelectMany(c => c.Texts("targets"));
        Assert.Equal(writeTargets.Select(u => u.Authority).Order(), scraped.Order());
    }

    [Fact]
    public void ReplicaAddressesAreThePodNamesOfTheKubernetesStatefulSet()
    {
        // Shard k goes to pod k of the StatefulSet, through the headless Service, in the kustomization's namespace.
        string kubernetes = RepositoryRoot.File("deploy", "kubernetes");
        string statefulSet = Yaml.LoadFile(Path.Combine(kubernetes, "statefulset.yaml")).Text("metadata", "name");
        var service = Yaml.LoadFile(Path.Combine(kubernetes, "service.yaml"));
        string ns = Yaml.LoadFile(Path.Combine(kubernetes, "kustomization.yaml")).Text("namespace");
        string port = Assert.Single(service.Items("spec", "ports")).Text("port");
        foreach (var shard in Shards(Yaml.LoadFile(ShardingConfig)))
        {
            Assert.Equal($"http://{statefulSet}-{shard.Number}.{service.Text("metadata", "name")}.{ns}.svc:{port}/api/v1/write", shard.Entry.Text("url"));
        }

    }

    [Fact]
    public void ReplicaConfigLoadsHasNoBackfillAndSelectsOnlyWhatEveryShardSends()
    {
        // Remote-read would bring every shard's series into each replica: backfill stays off, and so
        // do PromQL targets, which each replica would evaluate whole.
        var settings = Sidecar.Host.ConfigLoader.LoadFile(RepositoryRoot.File("deploy", "sharding", "sidecar.yml"));
        Assert.False(settings.Prometheus.Backfill);
        Assert.NotEmpty(settings.Targets);
        Assert.All(settings.Targets, target => Assert.Null(target.Query));
        foreach (var shard in Shards(Yaml.LoadFile(ShardingConfig)))
        {
            var names = Assert.Single(shard.Entry.Items("write_relabel_configs"), r => r.Texts("source_labels").SequenceEqual([LabelSet.MetricNameLabel]));
            var filter = new Regex($"^(?:{names.Text("regex")})$");
            foreach (var target in settings.Targets)
            {
                string metric = target.Selector!.Matchers.Single(m => m.Name == LabelSet.MetricNameLabel).Value;
                Assert.True(filter.IsMatch(metric), $"shard {shard.Number} drops {metric}, which target {target.Name} selects");
            }
        }
    }

    private const string SidecarConfig = """
        demo:
          mode: off
        targets:
          - name: load
            selector: 'node_load1'
            step: 1s
            horizons: [2s]
            history: 10m
            model:
              window: 4
              min_history: 5m
              fit_window: 10m
              fallback: none
        """;

    [Fact]
    public async Task EverySeriesReachesExactlyOneReplicaAndAnInstanceNeverSplits()
    {
        PrometheusServer.RequireInstalled();
        var config = Yaml.LoadFile(ShardingConfig);
        var shards = Shards(config);
        Assert.Equal(2, shards.Length);

        // Six machines whose instance names hash to both shards (checked, so the test can't pass by
        // sending everything to one replica), each scraped by two jobs: two series per instance.
        string[] instances = Enumerable.Range(1, 6).Select(i => $"node-{i}:9100").ToArray();
        string[] jobs = ["node", "node-extra"];
        Assert.All(shards, shard => Assert.Contains(instances, i => ShardOf(i, 2) == shard.Number));

        var sidecars = new RunningSidecar[2];
        var targets = new List<ScrapeTarget>();
        try
        {
            for (int i = 0; i < sidecars.Length; i++)
                sidecars[i] = await RunningSidecar.StartAsync(SidecarConfig);
            foreach (string _ in instances)
                targets.Add(await ScrapeTarget.StartAsync("node_load1", () => 0.5));

            // The shipped file, with only its addresses and timings made local and fast: its
            // write_relabel_configs, the thing under test, are sent to Prometheus untouched.
            ((YamlMappingNode)config.At("global")).Children[new YamlScalarNode("scrape_interval")] = new YamlScalarNode("1s");
            config.Children.Remove(new YamlScalarNode("rule_files"));
            var scrape = new System.Text.StringBuilder("scrape_configs:\n");
            foreach (string job in jobs)
            {
                scrape.Append(CultureInfo.InvariantCulture, $"  - job_name: {job}\n    static_configs:\n");
                for (int i = 0; i < instances.Length; i++)
                    scrape.Append(CultureInfo.InvariantCulture, $"      - targets: ['{targets[i].HostPort}']\n        labels: {{instance: '{instances[i]}'}}\n");
            }
            scrape.Append("  - job_name: forecast-sidecar\n    honor_labels: true\n    static_configs:\n");
            scrape.Append(CultureInfo.InvariantCulture, $"      - targets: [{string.Join(", ", sidecars.Select(s => $"'{s.Address.Authority}'"))}]\n");
            config.Children[new YamlScalarNode("scrape_configs")] = Yaml.Parse(scrape.ToString()).At("scrape_configs");
            foreach (var shard in shards)
            {
                var entry = (YamlMappingNode)shard.Entry;
                entry.Children[new YamlScalarNode("url")] = new YamlScalarNode(new Uri(sidecars[shard.Number].Address, "/api/v1/write").ToString());
                entry.Children[new YamlScalarNode("queue_config")] = Yaml.Parse("""
                    batch_send_deadline: 500ms
                    min_backoff: 100ms
                    max_backoff: 1s
                    """);
            }
            string prometheusYaml = Yaml.Save(config);
            await using var prometheus = await PrometheusServer.StartAsync(prometheusYaml);
            try
            {
                var expected = instances.SelectMany(instance => jobs.Select(job => (instance, job))).ToHashSet();
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (!Received().SelectMany(r => r).ToHashSet().SetEquals(expected))
                {
                    if (DateTime.UtcNow > deadline)
                        throw new TimeoutException("not every series reached a replica: " + Describe());
                    await Task.Delay(250);
                }
                // A few more scrapes and sends, so a series that would also go to the other replica has had time to.
                await Task.Delay(TimeSpan.FromSeconds(3));

                var received = Received();
                output.WriteLine(Describe());
                Assert.Empty(received[0].Intersect(received[1]));
                Assert.Empty(received[0].Select(s => s.Instance).Intersect(received[1].Select(s => s.Instance)));
                Assert.True(received[0].Union(received[1]).ToHashSet().SetEquals(expected));
                // Each replica has exactly the instances Prometheus' hashmod assigns to its shard.
                for (int shard = 0; shard < 2; shard++)
                    Assert.Equal(instances.Where(i => ShardOf(i, 2) == shard).Order(), received[shard].Select(s => s.Instance).Distinct().Order());

                // Every replica is scraped. Polled: at a 1s interval the scrape timeout is 1s too, and a
                // loaded two-core machine can miss it on the first scrapes while the models are training.
                await Poll.UntilAsync(
                    async () => (await prometheus.QueryAsync("up{job=\"forecast-sidecar\"} == 1")).Length == 2,
                    "both replicas to be scraped successfully", TimeSpan.FromSeconds(30));
            }
            catch
            {
                output.WriteLine(prometheusYaml);
                output.WriteLine(prometheus.Log);
                throw;
            }
        }
        finally
        {
            foreach (var target in targets)
                await target.DisposeAsync();
            foreach (var sidecar in sidecars.Where(s => s is not null))
                await sidecar.DisposeAsync();
        }

        // (instance, job) of every series each replica's store holds.
        HashSet<(string Instance, string Job)>[] Received() => sidecars
            .Select(s => s.Service<SeriesStore>().Targets
                .SelectMany(t => t.Snapshot())
                .Select(series => (series.Labels.Get("instance"), series.Labels.Get("job")))
                .ToHashSet())
            .ToArray();

        string Describe() => string.Join("; ", Received().Select((r, i) =>
            $"replica {i}: " + string.Join(", ", r.Order().Select(s => $"{s.Instance}/{s.Job}"))));
    }
}
