using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Expose;

public sealed class ForecastGaugesTests
{
    private const string Web1 = "instance=\"web-1:9100\",job=\"node\",metric=\"node_load1\",target=\"load\"";

    private static TargetSettings Target(string extra = "") => ConfigLoader.Load($"""
        demo:
          mode: off
        targets:
          - name: load
            selector: node_load1
            step: 1m
            horizons: [5m, 1h]
            capacity:
              threshold: 10
        {extra}
        """).Targets[0];

    private static LabelSet Node(string instance) => new([new("__name__", "node_load1"), new("instance", instance), new("job", "node")]);

    private static async Task<string> ScrapeAsync(ForecastGauges gauges, bool openMetrics = false)
    {
        using var stream = new MemoryStream();
        await MetricsExposition.WriteAsync(stream, gauges, Metrics.NewCustomRegistry(), openMetrics);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task EveryGaugeOfASeriesIsExposedUnderItsOwnLabelsWithItsOwnValue()
    {
        var gauges = new ForecastGauges();
        var series = gauges.Create(Node("web-1:9100"), Target(), "lstm");
        var other = gauges.Create(Node("web-2:9100"), Target(), "lstm");

        // A distinct value per gauge: two gauges sharing a slot, or a label suffix given to the wrong
        // horizon, would show up as a missing line or a wrong value.
        ExposedGauge[] all = [series.Predicted(0), series.Predicted(1), series.Lower(0), series.Lower(1), series.Upper(0), series.Upper(1),
            series.Crossing(0), series.Crossing(1), series.Anomaly, series.Residual, series.Surprise!.Value, series.Novelty!.Value];
        double next = 1;
        foreach (var gauge in all)
            gauge.Set(next++);
        other.Predicted(1).Set(-1);
        string text = await ScrapeAsync(gauges);

        var expected = new Dictionary<string, double>
        {
            [$"predicted_value{{{Web1},horizon=\"5m\",model=\"lstm\"}}"] = 1,
            [$"predicted_value{{{Web1},horizon=\"1h\",model=\"lstm\"}}"] = 2,
            [$"predicted_lower{{{Web1},horizon=\"5m\",model=\"lstm\"}}"] = 3,
            [$"predicted_lower{{{Web1},horizon=\"1h\",model=\"lstm\"}}"] = 4,
            [$"predicted_upper{{{Web1},horizon=\"5m\",model=\"lstm\"}}"] = 5,
            [$"predicted_upper{{{Web1},horizon=\"1h\",model=\"lstm\"}}"] = 6,
            [$"predicted_threshold_crossing_seconds{{{Web1},quantile=\"0.5\"}}"] = 7,
            [$"predicted_threshold_crossing_seconds{{{Web1},quantile=\"0.95\"}}"] = 8,
            [$"anomaly_score{{{Web1}}}"] = 9,
            [$"residual{{{Web1}}}"] = 10,
            [$"anomaly_surprise{{{Web1}}}"] = 11,
            [$"anomaly_novelty{{{Web1}}}"] = 12,
        };
        foreach (var (line, value) in expected)
            Assert.True(RegistryText.ValueOf(text, line) == value, $"{line} should be {value} in:\n{text}");
        Assert.Equal(-1, RegistryText.ValueOf(text, "predicted_value{instance=\"web-2:9100\",job=\"node\",metric=\"node_load1\",target=\"load\",horizon=\"1h\",model=\"lstm\"}"));
        Assert.Equal(expected.Count, text.Split('\n').Count(l => l.Contains("web-1", StringComparison.Ordinal)));
        // One HELP and TYPE per family, however many series it has.
        Assert.Equal(1, text.Split('\n').Count(l => l == "# TYPE predicted_value gauge"));
        Assert.Equal(2, gauges.Count);

        series.Remove();
        string after = await ScrapeAsync(gauges);
        Assert.DoesNotContain("web-1", after, StringComparison.Ordinal);
        Assert.Contains("web-2", after, StringComparison.Ordinal);
        Assert.Equal(1, gauges.Count);
    }

    [Fact]
    public async Task AWholeForecastSetAtOnceLandsOnEachHorizonsBandAndMedian()
    {
        var gauges = new ForecastGauges();
        var series = gauges.Create(Node("web-1:9100"), Target(), "lstm");
        series.Upper(1).Unpublish();

        // Per horizon: lower, median, upper. A hidden gauge is exposed again, and NaN stays a value.
        series.SetForecast([1, 2, 3, 4, float.NaN, 6]);
        string text = await ScrapeAsync(gauges);

        Assert.Equal(1, RegistryText.ValueOf(text, $"predicted_lower{{{Web1},horizon=\"5m\",model=\"lstm\"}}"));
        Assert.Equal(2, RegistryText.ValueOf(text, $"predicted_value{{{Web1},horizon=\"5m\",model=\"lstm\"}}"));
        Assert.Equal(3, RegistryText.ValueOf(text, $"predicted_upper{{{Web1},horizon=\"5m\",model=\"lstm\"}}"));
        Assert.Equal(4, RegistryText.ValueOf(text, $"predicted_lower{{{Web1},horizon=\"1h\",model=\"lstm\"}}"));
        Assert.Contains($"predicted_value{{{Web1},horizon=\"1h\",model=\"lstm\"}} NaN\n", text, StringComparison.Ordinal);
        Assert.Equal(6, RegistryText.ValueOf(text, $"predicted_upper{{{Web1},horizon=\"1h\",model=\"lstm\"}}"));
        Assert.Throws<ArgumentOutOfRangeException>(() => series.SetForecast([1, 2, 3]));
    }

    [Fact]
    public async Task AHiddenGaugeIsLeftOutUntilItIsSetAgainAndNaNIsAValueNotAHiddenGauge()
    {
        var gauges = new ForecastGauges();
        var series = gauges.Create(Node("web-1:9100"), Target(), "lstm");
        string line = $"residual{{{Web1}}}";

        series.Residual.Unpublish();
        Assert.True(double.IsNaN(series.Residual.Value));
        Assert.DoesNotContain(line, await ScrapeAsync(gauges), StringComparison.Ordinal);

        series.Residual.Set(double.NaN);
        Assert.Contains(line + " NaN\n", await ScrapeAsync(gauges), StringComparison.Ordinal);
        // Every NaN bit pattern a computation hands in counts as a value, including one that looks like the
        // hidden marker's.
        series.Residual.Set(BitConverter.Int64BitsToDouble(SeriesGauges.HiddenBits));
        Assert.Contains(line + " NaN\n", await ScrapeAsync(gauges), StringComparison.Ordinal);

        series.Residual.Set(2.5);
        Assert.Equal(2.5, series.Residual.Value);
        Assert.Contains(line + " 2.5\n", await ScrapeAsync(gauges), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValuesAndLabelsAreWrittenSoPrometheusReadsThemBack()
    {
        var gauges = new ForecastGauges();
        // node-name and node_name would both be exposed as node_name, which Prometheus rejects: the first stays.
        var labels = new LabelSet([new("__name__", "disk_free"), new("path", "C:\\data \"main\"\nsecond"), new("node-name", "a"), new("node_name", "b"),
            new("target", "theirs")]);
        var series = gauges.Create(labels, Target(), "lstm");
        series.Predicted(0).Set(double.PositiveInfinity);
        series.Predicted(1).Set(double.NegativeInfinity);
        series.Anomaly.Set(0.1 + 0.2);
        series.Residual.Set(-1e-300);
        string text = await ScrapeAsync(gauges);

        // The label value's backslash, quote and line feed escaped; a name exposition forbids sanitised; a
        // name the gauges use themselves kept under exported_, as Prometheus' honor_labels=false does.
        const string Labels = "node_name=\"a\",path=\"C:\\\\data \\\"main\\\"\\nsecond\",exported_target=\"theirs\",metric=\"disk_free\",target=\"load\"";
        Assert.Equal(double.PositiveInfinity, RegistryText.ValueOf(text, $"predicted_value{{{Labels},horizon=\"5m\",model=\"lstm\"}}"));
        Assert.Equal(double.NegativeInfinity, RegistryText.ValueOf(text, $"predicted_value{{{Labels},horizon=\"1h\",model=\"lstm\"}}"));
        Assert.Equal(0.1 + 0.2, RegistryText.ValueOf(text, $"anomaly_score{{{Labels}}}"));
        Assert.Equal(-1e-300, RegistryText.ValueOf(text, $"residual{{{Labels}}}"));

        // promtool parses it as Prometheus' scraper does and finds nothing wrong but one lint the metric's
        // name has had since capacity planning shipped (docs/metrics.md): a gauge labelled quantile.
        string file = Path.Combine(Path.GetTempPath(), $"gauges-{Guid.NewGuid():N}.prom");
        await File.WriteAllTextAsync(file, text);
        try
        {
            var (_, output) = await ExternalProgram.RunAsync("/bin/sh", ["-c", $"{PrometheusServer.Promtool} check metrics < '{file}' 2>&1"]);
            Assert.DoesNotContain(output.Split('\n', StringSplitOptions.RemoveEmptyEntries),
                line => !line.Contains("non-summary metrics should not have \"quantile\" label", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task AForecasterWithoutAnIntervalHasNoEdgesAndAScoreTheTargetDoesNotComputeIsNotExposed()
    {
        var gauges = new ForecastGauges();
        var target = Target("""
                anomaly:
                  surprise_window: 0
                  novelty_tolerance: 0
            """);
        var series = gauges.Create(Node("web-1:9100"), target, "holt_winters", withInterval: false);
        series.Predicted(0).Set(3);
        string text = await ScrapeAsync(gauges);

        Assert.Equal(3, RegistryText.ValueOf(text, $"predicted_value{{{Web1},horizon=\"5m\",model=\"holt_winters\"}}"));
        Assert.Equal(0, RegistryText.ValueOf(text, $"anomaly_score{{{Web1}}}"));
        foreach (string family in new[] { "predicted_lower", "predicted_upper", "predicted_threshold_crossing_seconds", "anomaly_surprise", "anomaly_novelty" })
            Assert.DoesNotContain(family, text, StringComparison.Ordinal);
        Assert.Null(series.Surprise);
        Assert.Null(series.Novelty);
        Assert.Throws<ArgumentOutOfRangeException>(() => series.Crossing(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => series.Predicted(2));
    }

    [Fact]
    public async Task TheScoresAreSetTogetherAMissingResidualIsHiddenAndAScoreTheTargetDoesNotComputeStaysOut()
    {
        var gauges = new ForecastGauges();
        var series = gauges.Create(Node("web-1:9100"), Target(), "lstm");
        series.SetScores(anomaly: 1.5, residual: double.NaN, surprise: 2.5, novelty: 0.25);
        string text = await ScrapeAsync(gauges);
        Assert.Equal(1.5, RegistryText.ValueOf(text, $"anomaly_score{{{Web1}}}"));
        Assert.DoesNotContain($"residual{{{Web1}}}", text, StringComparison.Ordinal);
        Assert.Equal(2.5, RegistryText.ValueOf(text, $"anomaly_surprise{{{Web1}}}"));
        Assert.Equal(0.25, RegistryText.ValueOf(text, $"anomaly_novelty{{{Web1}}}"));

        // A residual comes back; a NaN score is a value, as through the single gauges.
        series.SetScores(anomaly: 0.5, residual: -3, surprise: double.NaN, novelty: 0);
        text = await ScrapeAsync(gauges);
        Assert.Equal(0.5, RegistryText.ValueOf(text, $"anomaly_score{{{Web1}}}"));
        Assert.Equal(-3, RegistryText.ValueOf(text, $"residual{{{Web1}}}"));
        Assert.Contains($"anomaly_surprise{{{Web1}}} NaN\n", text, StringComparison.Ordinal);
        Assert.Equal(0, RegistryText.ValueOf(text, $"anomaly_novelty{{{Web1}}}"));

        var quiet = new ForecastGauges();
        var withoutViews = quiet.Create(Node("web-1:9100"), Target("""
                anomaly:
                  surprise_window: 0
                  novelty_tolerance: 0
            """), "lstm");
        withoutViews.SetScores(anomaly: 1, residual: 2, surprise: 3, novelty: 4);
        text = await ScrapeAsync(quiet);
        Assert.Equal(1, RegistryText.ValueOf(text, $"anomaly_score{{{Web1}}}"));
        Assert.Equal(2, RegistryText.ValueOf(text, $"residual{{{Web1}}}"));
        Assert.DoesNotContain("anomaly_surprise", text, StringComparison.Ordinal);
        Assert.DoesNotContain("anomaly_novelty", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InOpenMetricsTheForecastFamiliesComeBeforeTheEndMarker()
    {
        var gauges = new ForecastGauges();
        gauges.Create(Node("web-1:9100"), Target(), "lstm").Predicted(0).Set(4);
        var registry = Metrics.NewCustomRegistry();
        Metrics.WithCustomRegistry(registry).CreateCounter("own_total", "The sidecar's own metric.").Inc();
        using var stream = new MemoryStream();
        await MetricsExposition.WriteAsync(stream, gauges, registry, openMetrics: true);
        string text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.EndsWith("# EOF\n", text, StringComparison.Ordinal);
        Assert.Equal(1, text.Split('\n').Count(l => l == "# EOF"));
        Assert.Equal(4, RegistryText.ValueOf(text, $"predicted_value{{{Web1},horizon=\"5m\",model=\"lstm\"}}"));
        Assert.Contains("own_total 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AScrapeLargerThanOneFlushStreamsEverySeries()
    {
        var gauges = new ForecastGauges();
        for (int i = 0; i < 2_000; i++)
            gauges.Create(Node($"host-{i}"), Target(), "lstm").Predicted(1).Set(i);
        string text = await ScrapeAsync(gauges);

        var values = text.Split('\n')
            .Where(l => l.StartsWith("predicted_value{", StringComparison.Ordinal) && l.Contains("horizon=\"1h\"", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture))
            .Order();
        Assert.Equal(Enumerable.Range(0, 2_000).Select(i => (double)i), values);
    }

    [Fact]
    public async Task ScrapesWhileSeriesComeGoAndChangeAreAlwaysWellFormed()
    {
        var gauges = new ForecastGauges();
        var target = Target();
        using var stop = new CancellationTokenSource();
        // One thread plays the pipeline: series come, their gauges change and hide, series go.
        var churn = Task.Run(() =>
        {
            var live = new Queue<SeriesGauges>();
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                var series = gauges.Create(Node($"host-{i}"), target, "lstm");
                series.Predicted(0).Set(i);
                if (i % 3 == 0)
                    series.Residual.Unpublish();
                live.Enqueue(series);
                if (live.Count > 500)
                    live.Dequeue().Remove();
            }
        });
        try
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            while (gauges.Count < 500 && started.Elapsed < TimeSpan.FromSeconds(30))
                await Task.Delay(1);
            for (int scrape = 0; scrape < 50; scrape++)
            {
                string text = await ScrapeAsync(gauges);
                string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                // Every line a comment or a complete sample, and each family's header once.
                Assert.DoesNotContain(lines, line => !line.StartsWith('#') && !System.Text.RegularExpressions.Regex.IsMatch(line, @"^[a-z_]+(\{.*\})? \S+$"));
                Assert.Equal(lines.Count(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)),
                    lines.Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Distinct().Count());
            }
        }
        finally
        {
            await stop.CancelAsync();
            await churn;
        }
        Assert.InRange(gauges.Count, 500, 501);
    }
}
