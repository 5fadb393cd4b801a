using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>A counter's stored rates equal what the real Prometheus computes with <c>rate(x[step])</c>.</summary>
public sealed class CounterRateEndToEndTests
{
    [Fact]
    public async Task StoredRatesMatchPrometheusRate()
    {
        const long Step = 60_000;
        // Step-aligned start, then 15s scrapes offset by 7ms so no sample sits on a window boundary
        // (where Prometheus 2's closed and 3's left-open windows differ). Irregular increments and two resets.
        long start = (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 3 * 3_600_000) / Step * Step;
        var random = new Random(8);
        var samples = new List<(long, double)>();
        double value = 500;
        for (int i = 0; i < 240; i++)
        {
            value = i is 70 or 151 ? random.Next(0, 20) : value + random.Next(0, 100) + random.NextDouble();
            long jitter = random.Next(-40, 40);
            samples.Add((start + 7 + i * 15_000L + jitter, Math.Round(value, 3)));
        }
        await using var prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 15s\n", history: new PrometheusHistory([new("requests_total", [("job", "c")], samples)], Type: "counter"));

        var store = new SeriesStore(Sidecar.Host.ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: c
                selector: 'requests_total'
                step: 1m
                horizons: [5m]
                history: 1d
            """), TimeProvider.System);
        store.Ingest([new("__name__", "requests_total"), new("job", "c")], samples.Select(s => new SampleValue(s.Item1, s.Item2)).ToArray());
        var series = Assert.Single(store.Targets[0].Snapshot());
        Assert.True(series.IsCounter);

        int compared = 0;
        foreach (var point in await prometheus.QueryRangeAsync("rate(requests_total[1m])", start + Step, start + 59 * Step, Step))
        {
            long window = point.TimestampMs / Step - 1;
            float ours = series.CopyHistoryAt(window);
            Assert.True(Math.Abs(ours - point.Value) <= 1e-4 * Math.Max(1, Math.Abs(point.Value)),
                $"window ending {point.TimestampMs}: Prometheus {point.Value}, sidecar {ours}");
            compared++;
        }
        Assert.True(compared >= 55, $"only {compared} points compared");
    }
}
