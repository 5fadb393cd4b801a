using Sidecar.Host;
using Sidecar.Ingest.RemoteRead;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Ingest.RemoteRead;

/// <summary>
/// Reads back, through the real Prometheus 2.42's <c>/api/v1/read</c>, history that the real promtool
/// wrote: both the streamed XOR chunks (our chunk and frame decoders against Prometheus' encoder) and the
/// sampled fallback.
/// </summary>
public sealed class RemoteReadClientTests : IAsyncLifetime
{
    private static readonly long End = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 600_000;
    private readonly List<PrometheusHistory.Series> _written = [];
    private PrometheusServer _prometheus = null!;

    public async Task InitializeAsync()
    {
        var random = new Random(5);
        // Regular 15s samples, long enough to span several 120-sample chunks, with NaN and ±Inf among them.
        var regular = Enumerable.Range(0, 500).Select(i => (End - (499 - i) * 15_000L, i switch
        {
            100 => double.NaN,
            101 => double.PositiveInfinity,
            102 => double.NegativeInfinity,
            _ => Math.Round(50 + 20 * Math.Sin(i / 10.0), 3),
        })).ToList();
        // Irregular: jitter, big gaps, repeated values, millisecond timestamps.
        var irregular = new List<(long, double)>();
        long t = End - 2 * 86_400_000L;
        double v = 1;
        for (int i = 0; i < 400; i++)
        {
            t += random.Next(8) == 0 ? random.Next(60_000, 7_200_000) : 15_000 + random.Next(-999, 999);
            v = random.Next(3) == 0 ? v : v + random.NextDouble() * 1e6;
            irregular.Add((Math.Min(t, End), v));
            if (t >= End)
                break;
        }
        _written.Add(new("rr_value", [("instance", "a"), ("job", "rr")], regular));
        _written.Add(new("rr_value", [("instance", "b"), ("job", "rr")], irregular.DistinctBy(s => s.Item1).ToList()));
        // External labels are added to every series Prometheus returns, as to every series it remote-writes.
        _prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n  external_labels:\n    cluster: c1\n", history: new PrometheusHistory(_written));
    }

    public async Task DisposeAsync() => await _prometheus.DisposeAsync();

    private RemoteReadClient Client(bool streamed) => new(new HttpClient(), PrometheusSettings.None with
    {
        RemoteReadUrl = new Uri(_prometheus.Address, "api/v1/read"),
        Timeout = TimeSpan.FromSeconds(30),
    }) { AcceptStreamedChunks = streamed };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReadsBackExactlyWhatPromtoolWrote(bool streamed)
    {
        var read = new Dictionary<string, List<SampleValue>>();
        var matchers = SelectorParser.Parse("rr_value{job=\"rr\"}").Matchers;
        // Two pages, as the backfill reads them.
        long start = End - 3 * 86_400_000L, middle = End - 86_400_000L;
        long total = 0;
        foreach (var (from, to) in new[] { (start, middle - 1), (middle, End) })
        {
            total += await Client(streamed).ReadAsync(matchers, from, to, (labels, samples) =>
            {
                string instance = labels.Single(l => l.Key == "instance").Value;
                Assert.Contains(labels, l => l.Key == "__name__" && l.Value == "rr_value");
                Assert.Contains(labels, l => l.Key == "cluster" && l.Value == "c1");
                if (!read.TryGetValue(instance, out var list))
                    read[instance] = list = [];
                list.AddRange(samples.ToArray());
            }, CancellationToken.None);
        }
        Assert.Equal(_written.Sum(s => s.Samples.Count), total);
        foreach (var series in _written)
        {
            var got = read[series.Labels.Single(l => l.Name == "instance").Value];
            Assert.Equal(series.Samples.Select(s => s.TimestampMs), got.Select(s => s.TimestampMs));
            for (int i = 0; i < got.Count; i++)
            {
                double expected = series.Samples[i].Value;
                Assert.True(double.IsNaN(expected) ? double.IsNaN(got[i].Value) : expected == got[i].Value,
                    $"sample {i} at {got[i].TimestampMs}: expected {expected}, read {got[i].Value}");
            }
        }
    }

    [Fact]
    public async Task AnUnreachablePrometheusIsAnErrorNotAHang()
    {
        var client = new RemoteReadClient(new HttpClient(), PrometheusSettings.None with
        {
            RemoteReadUrl = new Uri($"http://127.0.0.1:{PrometheusServer.FreePort()}/api/v1/read"),
            Timeout = TimeSpan.FromSeconds(5),
        });
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            client.ReadAsync(SelectorParser.Parse("up").Matchers, 0, 1000, (_, _) => { }, CancellationToken.None));
    }
}
