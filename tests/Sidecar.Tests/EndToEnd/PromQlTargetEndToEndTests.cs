using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>A target defined by a PromQL aggregation, polled from the real Prometheus through query_range.</summary>
public sealed class PromQlTargetEndToEndTests
{
    [Fact]
    public async Task AnAggregationIsFetchedWithItsHistoryAndForecast()
    {
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - 60_000;
        PrometheusHistory.Series Host(string instance, double offset) => new("pq_value", [("instance", instance), ("job", "pq")],
            Enumerable.Range(0, 120).Select(i => (end - (119 - i) * 60_000L, offset + 10 * Math.Sin(i / 8.0))).ToList());
        await using var prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n", history: new PrometheusHistory([Host("a", 10), Host("b", 30)]));

        await using var sidecar = await RunningSidecar.StartAsync($$"""
            demo:
              mode: off
            prometheus:
              url: {{prometheus.Address}}
            targets:
              - name: pq_avg
                query: 'avg by (job) (pq_value)'
                step: 15s
                horizons: [1m]
                history: 1h
                series_timeout_steps: 100
                model:
                  window: 8
                  hidden_size: 8
                  layers: 2
                  max_epochs: 5
            """);
        string text = "";
        for (int i = 0; i < 240 && !text.Contains("predicted_value{job=\"pq\",metric=\"pq_avg\",target=\"pq_avg\",horizon=\"1m\",model=\"lstm\"}"); i++)
        {
            await Task.Delay(500);
            text = await sidecar.ScrapeAsync();
        }
        Assert.Contains("predicted_value{job=\"pq\",metric=\"pq_avg\",target=\"pq_avg\",horizon=\"1m\",model=\"lstm\"}", text);
        Assert.Contains("forecast_sidecar_promql_polls_total{target=\"pq_avg\",result=\"success\"}", text);

        // The stored values are the aggregation's, not either host's: the mean of the two hosts is 20 + sin.
        var series = Assert.Single(sidecar.Service<SeriesStore>().Targets.Single(t => t.Settings.Name == "pq_avg").Snapshot());
        Assert.Equal("pq_avg{job=\"pq\"}", series.Labels.ToString());
        var history = new float[240];
        series.CopyHistory(series.LastClosedStep, history);
        Assert.All(history.Where(v => !float.IsNaN(v)), v => Assert.InRange(v, 9.99f, 30.01f));
        Assert.True(history.Count(v => !float.IsNaN(v)) > 200);
        // Over an hour each host leaves [10, 30] (host a dips below 10, host b rises above 30); the mean never does.
        Assert.Contains(history, v => v < 12);
        Assert.Contains(history, v => v > 28);
    }
}
