using Google.Protobuf;
using Sidecar.Protocol.Prompb;

namespace Sidecar.Bench;

/// <summary>
/// Remote-write bodies shaped like a node_exporter fleet: 100 series per host across the usual metric
/// families, labels as node_exporter and Prometheus set them. Shared by the benchmarks and the load
/// command, so both measure the same thing.
/// </summary>
internal static class NodeExporterPayload
{
    /// <param name="firstHost">Offsets the hosts, so concurrent senders write disjoint series.</param>
    public static IReadOnlyList<(string Name, (string, string)[] Labels)> SeriesFor(int count, int firstHost = 0)
    {
        var series = new List<(string, (string, string)[])>(count);
        string[] modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"];
        for (int host = firstHost; series.Count < count; host++)
        {
            string instance = $"10.0.{host / 250}.{host % 250 + 1}:9100";
            void Add(string name, params (string, string)[] labels)
            {
                if (series.Count < count)
                    series.Add((name, [.. labels, ("instance", instance), ("job", "node")]));
            }
            for (int cpu = 0; cpu < 8; cpu++)
            {
                foreach (string mode in modes)
                    Add("node_cpu_seconds_total", ("cpu", cpu.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("mode", mode));
            }
            foreach (string mount in new[] { "/", "/var", "/home", "/boot" })
            {
                Add("node_filesystem_avail_bytes", ("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", mount));
                Add("node_filesystem_size_bytes", ("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", mount));
            }
            foreach (string metric in new[] { "node_load1", "node_load5", "node_load15", "node_memory_MemAvailable_bytes", "node_memory_MemTotal_bytes", "node_memory_Cached_bytes" })
                Add(metric);
            foreach (string device in new[] { "eth0", "eth1", "lo" })
            {
                Add("node_network_receive_bytes_total", ("device", device));
                Add("node_network_transmit_bytes_total", ("device", device));
            }
            for (int i = series.Count % 100; i < 100 && series.Count < count; i++)
                Add("node_disk_io_time_seconds_total", ("device", "nvme" + i + "n1"));
        }
        return series;
    }

    /// <summary>A remote-write 1.0 body (not compressed): <paramref name="series"/> series × <paramref name="samplesPerSeries"/>, 15 s apart.</summary>
    /// <param name="round">Moves every value on, so consecutive bodies of one series carry changing values, as scrapes do.</param>
    public static byte[] V1(int series, int samplesPerSeries, long startMs = 1_700_000_000_000, int firstHost = 0, int round = 0)
    {
        var request = new WriteRequest();
        int index = 0;
        foreach (var (name, labels) in SeriesFor(series, firstHost))
        {
            var ts = new TimeSeries();
            ts.Labels.Add(new Label { Name = "__name__", Value = name });
            foreach (var (n, v) in labels.OrderBy(l => l.Item1, StringComparer.Ordinal))
                ts.Labels.Add(new Label { Name = n, Value = v });
            for (int s = 0; s < samplesPerSeries; s++)
                ts.Samples.Add(new Sample { Timestamp = startMs + s * RemoteWriteLoad.ScrapeIntervalMs, Value = SampleValue(index, round * samplesPerSeries + s) });
            request.Timeseries.Add(ts);
            index++;
        }
        return request.ToByteArray();
    }

    /// <summary>The same series as <see cref="V1"/>, as a remote-write 2.0 body with a symbols table.</summary>
    public static byte[] V2(int series, int samplesPerSeries, long startMs = 1_700_000_000_000, int firstHost = 0, int round = 0)
    {
        var request = new Protocol.Prompb.V2.Request();
        var refs = new Dictionary<string, uint>();
        uint Ref(string s)
        {
            if (!refs.TryGetValue(s, out uint r))
            {
                r = (uint)request.Symbols.Count;
                request.Symbols.Add(s);
                refs[s] = r;
            }
            return r;
        }
        Ref("");
        int index = 0;
        foreach (var (name, labels) in SeriesFor(series, firstHost))
        {
            var ts = new Protocol.Prompb.V2.TimeSeries();
            ts.LabelsRefs.Add(Ref("__name__"));
            ts.LabelsRefs.Add(Ref(name));
            foreach (var (n, v) in labels.OrderBy(l => l.Item1, StringComparer.Ordinal))
            {
                ts.LabelsRefs.Add(Ref(n));
                ts.LabelsRefs.Add(Ref(v));
            }
            for (int s = 0; s < samplesPerSeries; s++)
                ts.Samples.Add(new Protocol.Prompb.V2.Sample { Timestamp = startMs + s * RemoteWriteLoad.ScrapeIntervalMs, Value = SampleValue(index, round * samplesPerSeries + s) });
            request.Timeseries.Add(ts);
            index++;
        }
        return request.ToByteArray();
    }

    private static double SampleValue(int series, int sample) => 1e6 + series * 3.5 + sample * 0.25;

    /// <summary>
    /// The setup the README recommends: Prometheus' write_relabel_configs send only the series to model, and
    /// one target selects every series it receives, so each sample is selected and stored.
    /// </summary>
    public const string SelectedConfig = """
        demo:
          mode: off
        limits:
          max_series: 1000000
        targets:
          - name: node
            selector: '{job="node"}'
            step: 1m
            history: 8d
        """;

    /// <summary>
    /// Selectors of the kind the shipped default config has, selecting 3 of each host's 100 series:
    /// node_load1 as in the default, and the raw filesystem series in place of the default's recording
    /// rule, which node_exporter-shaped requests don't carry.
    /// </summary>
    public const string BenchmarkConfig = """
        demo:
          mode: off
        targets:
          - name: node_load
            selector: 'node_load1{job="node"}'
            step: 1m
            horizons: [5m, 30m, 1h]
            history: 1d
          - name: disk_avail
            selector: 'node_filesystem_avail_bytes{mountpoint=~"/|/var"}'
            step: 1m
            horizons: [30m, 1h]
            history: 1d
        """;
}
