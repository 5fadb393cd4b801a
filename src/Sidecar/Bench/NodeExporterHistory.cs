using Sidecar.Protocol.RemoteWrite;

namespace Sidecar.Bench;

/// <summary>
/// Plausible scraped values for the series of <see cref="NodeExporterPayload.SeriesFor"/>, at the precision
/// node_exporter reports them: CPU time in hundredths of a second (USER_HZ), disk time in milliseconds,
/// network counters in whole bytes, memory and filesystem sizes in 4 KiB pages, load averages with two
/// decimals, sizes constant. Busy-ness follows a daily cycle with noise. Deterministic per seed, so a
/// measurement can be repeated.
/// </summary>
internal static class NodeExporterHistory
{
    private const double Page = 4096;

    /// <summary>Fills <paramref name="samples"/> with consecutive scrapes of one series, <paramref name="intervalMs"/> apart.</summary>
    public static void Fill(string name, (string, string)[] labels, int seed, long startMs, long intervalMs, Span<SampleValue> samples)
    {
        var random = new Random(seed);
        double seconds = intervalMs / 1000.0;
        // Hosts peak at different hours.
        double phase = random.NextDouble() * 2 * Math.PI;
        double Busy(int scrape) => Math.Clamp(0.05 + 0.25 * (1 + Math.Sin(2 * Math.PI * scrape * seconds / 86_400 + phase)) + 0.05 * Noise(random), 0, 1);
        string label = labels.FirstOrDefault(l => l.Item1 is "mode" or "device").Item2 ?? "";
        Func<int, double> next = name switch
        {
            "node_cpu_seconds_total" => Counter(random, 100, 2_592_000 * 100 * random.NextDouble(), s => CpuShare(label, Busy(s)) * seconds * 100),
            "node_disk_io_time_seconds_total" => Counter(random, 1000, 1e9 * random.NextDouble(), s => 0.3 * Busy(s) * seconds * 1000),
            "node_network_receive_bytes_total" or "node_network_transmit_bytes_total" =>
                Counter(random, 1, 1e12 * random.NextDouble(), s => NetworkBytesPerSecond(label) * (0.1 + Busy(s)) * seconds),
            "node_filesystem_avail_bytes" => FreeSpace(random),
            "node_memory_MemAvailable_bytes" or "node_memory_Cached_bytes" => Memory(random, Busy),
            "node_load1" or "node_load5" or "node_load15" => Load(name, seconds, Busy),
            _ => Constant(Math.Round(random.NextDouble() * 1e8) * Page), // sizes: filesystem, MemTotal
        };
        for (int i = 0; i < samples.Length; i++)
            samples[i] = new SampleValue(startMs + i * intervalMs + 3, next(i));
    }

    // Roughly normal, mean 0, deviation 0.5: cheap enough for billions of samples.
    private static double Noise(Random random) => random.NextDouble() + random.NextDouble() - 1;

    private static double CpuShare(string mode, double busy) => mode switch
    {
        "idle" => 1 - busy,
        "user" => busy * 0.6,
        "system" => busy * 0.3,
        "iowait" => busy * 0.06,
        "softirq" => busy * 0.04,
        _ => 0, // irq, nice, steal: mostly zero on a VM like this
    };

    private static double NetworkBytesPerSecond(string device) => device switch
    {
        "eth0" => 4e6,
        "eth1" => 3e5,
        _ => 2e4,
    };

    /// <summary>A counter in whole <paramref name="unitsPerValue"/>ths, increasing by about <paramref name="increase"/> units per scrape.</summary>
    private static Func<int, double> Counter(Random random, double unitsPerValue, double start, Func<int, double> increase)
    {
        double units = Math.Round(start);
        return scrape =>
        {
            units += Math.Max(0, Math.Round(increase(scrape) * (1 + 0.2 * Noise(random))));
            return units / unitsPerValue;
        };
    }

    private static Func<int, double> Constant(double value) => _ => value;

    /// <summary>Pages written a few at a time, and now and then a cleanup that frees many.</summary>
    private static Func<int, double> FreeSpace(Random random)
    {
        double pages = Math.Round(5e6 + random.NextDouble() * 1e8);
        return _ =>
        {
            if (random.Next(3) > 0)
                pages -= random.Next(0, 64);
            if (random.Next(2000) == 0)
                pages += random.Next(10_000, 1_000_000);
            return pages * Page;
        };
    }

    private static Func<int, double> Memory(Random random, Func<int, double> busy)
    {
        double total = Math.Round(2e6 + random.NextDouble() * 6e6), drift = 0;
        return scrape =>
        {
            drift = Math.Clamp(drift + random.Next(-500, 501), -0.2 * total, 0.2 * total);
            return Math.Round(total * (0.6 - 0.3 * busy(scrape)) + drift) * Page;
        };
    }

    /// <summary>The kernel's load averages: 1, 5 and 15-minute exponential averages of the run queue, shown with two decimals.</summary>
    private static Func<int, double> Load(string name, double secondsPerScrape, Func<int, double> busy)
    {
        double minutes = name switch { "node_load1" => 1, "node_load5" => 5, _ => 15 };
        double load = 0;
        return scrape =>
        {
            double runQueue = 8 * busy(scrape);
            load += (runQueue - load) * (1 - Math.Exp(-secondsPerScrape / 60 / minutes));
            return Math.Round(load, 2);
        };
    }
}
