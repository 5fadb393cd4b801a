using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// A Prometheus with a day of history and no remote-write at all: the sidecar backfills through
/// remote-read, trains, and forecasts before a single live sample arrives.
/// </summary>
public sealed class BackfillEndToEndTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ForecastsFromBackfilledHistoryBeforeAnyLiveSample()
    {
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - 5 * 60_000;
        var samples = Enumerable.Range(0, 1400)
            .Select(i => (end - (1399 - i) * 60_000L, Math.Round(50 + 20 * Math.Sin(2 * Math.PI * i / 120.0), 3)))
            .ToList();
        await using var prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n", history: new PrometheusHistory([new("bf_value", [("instance", "host-1"), ("job", "bf")], samples)]));

        await using var sidecar = await RunningSidecar.StartAsync($$"""
            demo:
              mode: off
            prometheus:
              url: {{prometheus.Address}}
              backfill_page: 6h
            targets:
              - name: bf
                selector: 'bf_value{job="bf"}'
                step: 1m
                horizons: [5m, 10m]
                history: 1d
                series_timeout_steps: 60
                model:
                  window: 8
                  hidden_size: 16
                  layers: 2
                  max_epochs: 10
                  learning_rate: 0.01
            """);
        string text = "";
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            text = await sidecar.ScrapeAsync();
            if (text.Split('\n').Count(l => l.StartsWith("predicted_value{", StringComparison.Ordinal) && l.Contains("metric=\"bf_value\"") && l.Contains("model=\"lstm\"")) == 2)
                break;
            await Task.Delay(500);
        }
        output.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.Contains("bf_value") || l.Contains("backfill"))));
        Assert.Contains("forecast_sidecar_backfill_samples_total{target=\"bf\"} 1400", text);
        Assert.Contains("predicted_value{instance=\"host-1\",job=\"bf\",metric=\"bf_value\",target=\"bf\",horizon=\"5m\",model=\"lstm\"}", text);
        Assert.Contains("predicted_value{instance=\"host-1\",job=\"bf\",metric=\"bf_value\",target=\"bf\",horizon=\"10m\",model=\"lstm\"}", text);
        Assert.DoesNotContain("forecast_sidecar_samples_received_total{source=\"remote_write\"}", text);
    }

    [Fact]
    public async Task AnUnreachablePrometheusIsCountedAndRetriedWhileIngestCarriesOn()
    {
        await using var sidecar = await RunningSidecar.StartAsync($$"""
            demo:
              mode: off
            prometheus:
              url: http://127.0.0.1:{{PrometheusServer.FreePort()}}
              timeout: 2s
            targets:
              - name: t
                selector: 'up'
                step: 1s
                horizons: [5s]
                history: 10m
            """);
        var body = WriteRequests.Snappy(WriteRequests.Encode(WriteRequests.Series("up", ("job", "a")).With((1_700_000_000_000, 1))));
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", content)).StatusCode);
        string text = "";
        for (int i = 0; i < 100 && !text.Contains("backfill_runs_total{target=\"t\",result=\"failure\"}"); i++)
        {
            await Task.Delay(200);
            text = await sidecar.ScrapeAsync();
        }
        Assert.Contains("forecast_sidecar_backfill_runs_total{target=\"t\",result=\"failure\"}", text);
        Assert.Contains("forecast_sidecar_samples_received_total{source=\"remote_write\"} 1", text);
    }

    [Fact]
    public async Task ABackfillThatFailedIsRetriedUntilPrometheusAnswers()
    {
        // The sidecar starts first, pointed at a port where Prometheus isn't running yet.
        int port = PrometheusServer.FreePort();
        await using var sidecar = await RunningSidecar.StartAsync($$"""
            demo:
              mode: off
            prometheus:
              url: http://127.0.0.1:{{port}}
              timeout: 2s
            targets:
              - name: late
                selector: 'late_value'
                step: 1m
                horizons: [5m]
                history: 1d
            """);
        await sidecar.ScrapeUntilAsync(t => t.Contains("forecast_sidecar_backfill_runs_total{target=\"late\",result=\"failure\"}"), "a failed backfill");

        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - 5 * 60_000;
        var samples = Enumerable.Range(0, 120).Select(i => (end - (119 - i) * 60_000L, (double)i)).ToList();
        await using var prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n",
            history: new PrometheusHistory([new("late_value", [("job", "late")], samples)]), port: port);
        // Retries back off from 5 s, doubling: the next ones land within a minute.
        // series_tracked is refreshed on the pipeline's tick, so it may follow the samples a moment later.
        string text = await sidecar.ScrapeUntilAsync(t => t.Contains("forecast_sidecar_backfill_samples_total{target=\"late\"} 120")
            && t.Contains("forecast_sidecar_series_tracked{target=\"late\"} 1"), "the retried backfill", TimeSpan.FromSeconds(90));
        Assert.Contains("forecast_sidecar_backfill_runs_total{target=\"late\",result=\"success\"}", text);
    }
}
