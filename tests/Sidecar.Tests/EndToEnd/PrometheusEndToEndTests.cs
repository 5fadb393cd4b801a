using System.Text.RegularExpressions;
using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// The whole path against the real Prometheus: it scrapes a test exporter, remote-writes to the
/// sidecar, scrapes the sidecar's forecasts back, and evaluates the shipped anomaly alert.
/// Steps are 1s and the model is tiny, so the test takes about a minute and a half.
/// </summary>
public sealed class PrometheusEndToEndTests(ITestOutputHelper output)
{
    private const string SidecarConfig = """
        demo:
          mode: off
        targets:
          - name: e2e
            selector: 'e2e_value{job="e2e-target"}'
            step: 1s
            horizons: [3s, 6s]
            history: 10m
            series_timeout_steps: 30
            model:
              window: 6
              hidden_size: 16
              layers: 2
              max_epochs: 20
              patience: 5
              learning_rate: 0.01
              min_history: 62s
              fit_window: 10m
              fit_every: 1h
            anomaly:
              warmup_steps: 5
              scale_steps: 20
              novelty_warmup: 30s
            capacity:
              threshold: 59
              direction: above
        """;

    [Fact]
    public async Task ForecastsReachPrometheusAndASpikeFiresTheShippedAnomalyAlert()
    {
        PrometheusServer.RequireInstalled();
        await using var sidecar = await RunningSidecar.StartAsync(SidecarConfig);
        var start = DateTime.UtcNow;
        // A smooth 30-second cycle the model can learn; the offset adds the spike.
        await using var target = await ScrapeTarget.StartAsync("e2e_value",
            () => 50 + 10 * Math.Sin(2 * Math.PI * (DateTime.UtcNow - start).TotalSeconds / 30));

        string rules = ShippedRulesWithShortFor();
        string config = $$"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
              - forecast-sidecar.rules.yml
            scrape_configs:
              - job_name: e2e-target
                static_configs:
                  - targets: ['{{target.HostPort}}']
              - job_name: forecast-sidecar
                honor_labels: true
                # anomaly_novelty is a pulse one step long (1s here): scraped at the step's own interval, a
                # busy machine's jitter lets two steps pass between scrapes and the pulse go unseen.
                scrape_interval: 250ms
                scrape_timeout: 250ms
                static_configs:
                  - targets: ['{{sidecar.Address.Authority}}']
            remote_write:
              - url: {{new Uri(sidecar.Address, "/api/v1/write")}}
                write_relabel_configs:
                  - source_labels: [__name__]
                    regex: 'e2e_value'
                    action: keep
                queue_config:
                  batch_send_deadline: 1s
                  min_backoff: 100ms
                  max_backoff: 1s
            """;
        await using var prometheus = await PrometheusServer.StartAsync(config,
            new Dictionary<string, string> { ["forecast-sidecar.rules.yml"] = rules });
        try
        {
            // 1. The sidecar received the series (its own gauge, read back through Prometheus).
            await Eventually("the sidecar tracks the remote-written series", TimeSpan.FromSeconds(30), async () =>
                (await prometheus.QueryAsync("forecast_sidecar_series_tracked{target=\"e2e\"} == 1")).Length == 1);

            // 2. After min_history (62 steps) and a short training run, forecasts and scores reach Prometheus,
            //    with the source series' job and instance preserved by honor_labels.
            await Eventually("predicted_value for both horizons in Prometheus", TimeSpan.FromSeconds(120), async () =>
                (await prometheus.QueryAsync($"predicted_value{{metric=\"e2e_value\",model=\"lstm\",target=\"e2e\",job=\"e2e-target\",instance=\"{target.HostPort}\"}}")).Length == 2);
            var predictions = await prometheus.QueryAsync("predicted_value{metric=\"e2e_value\",model=\"lstm\"}");
            foreach (var sample in predictions)
            {
                double value = double.Parse(sample.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                // The series lives in [40, 60]; a forecast far outside it would mean a broken model or scaler.
                Assert.InRange(value, 20, 80);
            }
            await Eventually("anomaly_score in Prometheus", TimeSpan.FromSeconds(30), async () =>
                (await prometheus.QueryAsync("anomaly_score{metric=\"e2e_value\",target=\"e2e\"}")).Length == 1);

            // Let the scorer warm up on normal behaviour, then spike.
            await Task.Delay(TimeSpan.FromSeconds(8));
            target.Offset = 200;
            await Eventually("the shipped MetricAnomalous alert pending or firing", TimeSpan.FromSeconds(40), async () =>
                (await prometheus.AlertsAsync()).Any(a => a.Name == "MetricAnomalous" && a.State is "pending" or "firing"));
            var scores = await prometheus.QueryAsync("max_over_time(anomaly_score{metric=\"e2e_value\"}[30s])");
            output.WriteLine("peak anomaly score after the spike: " + scores[0].GetProperty("value")[1].GetString());

            // 4. Every query of the shipped dashboards evaluates against this Prometheus and has data.
            await Eventually("every dashboard query to return data", TimeSpan.FromSeconds(60), async () =>
            {
                var empty = await DashboardQueriesWithoutData(prometheus);
                output.WriteLine("dashboard queries without data yet: " + string.Join(" | ", empty));
                return empty.Count == 0;
            });
        }
        catch
        {
            await WriteWhatPrometheusSawAsync(prometheus);
            output.WriteLine(prometheus.Log);
            throw;
        }
    }

    /// <summary>
    /// For a failure's output: what Prometheus got of the sidecar's pulses and scrapes over the last minutes.
    /// The spike's alert rests on a one-step novelty pulse (1s here): twice under a full suite's load it was
    /// not seen in time, and these tell a pulse never made from one made but not scraped (a scrape that
    /// failed, or took longer than the step).
    /// </summary>
    private async Task WriteWhatPrometheusSawAsync(PrometheusServer prometheus)
    {
        string[] queries =
        [
            "max_over_time(anomaly_novelty{metric=\"e2e_value\"}[3m])",
            "max_over_time(anomaly_score{metric=\"e2e_value\"}[3m])",
            "max_over_time(e2e_value[3m])",
            "count_over_time(up{job=\"forecast-sidecar\"}[1m])",
            "min_over_time(up{job=\"forecast-sidecar\"}[3m])",
            "max_over_time(scrape_duration_seconds{job=\"forecast-sidecar\"}[3m])",
            "ALERTS",
        ];
        foreach (string query in queries)
        {
            try
            {
                var results = await prometheus.QueryAsync(query);
                output.WriteLine($"{query} => {(results.Length == 0 ? "nothing" : string.Join("; ", results.Select(r => r.ToString())))}");
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException or KeyNotFoundException or System.Text.Json.JsonException or TaskCanceledException)
            {
                output.WriteLine($"{query} => failed: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Runs every PromQL expression of the shipped dashboards (panels and annotations) as a range query
    /// over the last three minutes, with the template variables set to this test's target. A query that
    /// doesn't parse or evaluate fails the test at once; those that return nothing are listed.
    /// </summary>
    private static async Task<List<string>> DashboardQueriesWithoutData(PrometheusServer prometheus)
    {
        var variables = new Dictionary<string, string>
        {
            ["$target"] = "e2e", ["$metric"] = "e2e_value", ["$instance"] = ".*", ["$horizon"] = "3s", ["$__rate_interval"] = "1m",
        };
        var empty = new List<string>();
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), start = end - 180_000;
        foreach (string file in Directory.GetFiles(RepositoryRoot.File("dashboards"), "*.json"))
        {
            using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(file));
            var root = json.RootElement;
            var expressions = root.GetProperty("panels").EnumerateArray()
                .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
                .Concat(root.GetProperty("annotations").GetProperty("list").EnumerateArray().Select(a => a.GetProperty("expr").GetString()!));
            foreach (string expression in expressions)
            {
                string promql = variables.Aggregate(expression, (text, v) => text.Replace(v.Key, v.Value, StringComparison.Ordinal));
                if ((await prometheus.QueryRangeAsync(promql, start, end, 2000)).Length == 0)
                    empty.Add($"{Path.GetFileName(file)}: {promql}");
            }
        }
        return empty;
    }

    /// <summary>The shipped rules, with every <c>for:</c> shortened to 2s so the test need not wait minutes.</summary>
    private static string ShippedRulesWithShortFor() =>
        Regex.Replace(File.ReadAllText(RepositoryRoot.File("rules", "forecast-sidecar.rules.yml")), @"(?m)^(\s+for:\s*)\S+", "${1}2s");

    private async Task Eventually(string what, TimeSpan timeout, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + timeout;
        var started = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                output.WriteLine($"{what}: after {(DateTime.UtcNow - started).TotalSeconds:F0}s");
                return;
            }
            await Task.Delay(500);
        }
        Assert.Fail($"timed out after {timeout.TotalSeconds}s waiting for {what}");
    }
}
