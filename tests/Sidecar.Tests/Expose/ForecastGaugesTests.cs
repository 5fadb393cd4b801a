using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Expose;

public sealed class ForecastGaugesTests
{
    private static TargetSettings Target() => ConfigLoader.Load("""
        demo:
          mode: off
        targets:
          - name: load
            selector: node_load1
            step: 1m
            horizons: [5m, 1h]
            capacity:
              threshold: 10
        """).Targets[0];

    [Fact]
    public async Task EveryChildOfASeriesIsExposedUnderItsOwnLabelsWithItsOwnValue()
    {
        var registry = Metrics.NewCustomRegistry();
        var gauges = new ForecastGauges(registry);
        var labels = new LabelSet([new("__name__", "node_load1"), new("instance", "web-1:9100"), new("job", "node")]);
        var series = gauges.Create(labels, Target(), "lstm");
        var other = gauges.Create(new LabelSet([new("__name__", "node_load1"), new("instance", "web-2:9100"), new("job", "node")]), Target(), "lstm");

        // A distinct value per child: a child that shared another's labels, or a label array reused for the
        // wrong horizon, would show up as a missing line or a wrong value.
        double next = 1;
        foreach (var child in series.Predicted.Concat(series.Lower).Concat(series.Upper).Concat(series.Crossing)
                     .Append(series.Anomaly).Append(series.Residual).Append(series.Surprise!).Append(series.Novelty!))
            child.Set(next++);
        foreach (var child in other.Predicted)
            child.Set(-1);
        string text = await RegistryText.ScrapeAsync(registry);

        const string Series = "instance=\"web-1:9100\",job=\"node\",metric=\"node_load1\",target=\"load\"";
        var expected = new Dictionary<string, double>
        {
            [$"predicted_value{{{Series},horizon=\"5m\",model=\"lstm\"}}"] = 1,
            [$"predicted_value{{{Series},horizon=\"1h\",model=\"lstm\"}}"] = 2,
            [$"predicted_lower{{{Series},horizon=\"5m\",model=\"lstm\"}}"] = 3,
            [$"predicted_lower{{{Series},horizon=\"1h\",model=\"lstm\"}}"] = 4,
            [$"predicted_upper{{{Series},horizon=\"5m\",model=\"lstm\"}}"] = 5,
            [$"predicted_upper{{{Series},horizon=\"1h\",model=\"lstm\"}}"] = 6,
            [$"predicted_threshold_crossing_seconds{{{Series},quantile=\"0.5\"}}"] = 7,
            [$"predicted_threshold_crossing_seconds{{{Series},quantile=\"0.95\"}}"] = 8,
            [$"anomaly_score{{{Series}}}"] = 9,
            [$"residual{{{Series}}}"] = 10,
            [$"anomaly_surprise{{{Series}}}"] = 11,
            [$"anomaly_novelty{{{Series}}}"] = 12,
        };
        foreach (var (line, value) in expected)
            Assert.True(RegistryText.ValueOf(text, line) == value, $"{line} should be {value} in:\n{text}");
        Assert.Equal(-1, RegistryText.ValueOf(text, "predicted_value{instance=\"web-2:9100\",job=\"node\",metric=\"node_load1\",target=\"load\",horizon=\"1h\",model=\"lstm\"}"));
        Assert.Equal(expected.Count, text.Split('\n').Count(l => l.Contains("web-1", StringComparison.Ordinal)));

        series.Remove();
        string after = await RegistryText.ScrapeAsync(registry);
        Assert.DoesNotContain("web-1", after, StringComparison.Ordinal);
        Assert.Contains("web-2", after, StringComparison.Ordinal);
    }
}
