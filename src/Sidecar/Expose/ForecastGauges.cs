using System.Collections.Concurrent;
using Prometheus;
using Sidecar.Host;
using Sidecar.Store;

namespace Sidecar.Expose;

/// <summary>
/// Creates the user-facing gauges of a series: <c>predicted_value</c> (the median), <c>predicted_lower</c>
/// and <c>predicted_upper</c> (the outermost quantiles) per horizon, and <c>anomaly_score</c>. They carry
/// the series' own labels, its <c>__name__</c> as <c>metric</c>, plus <c>target</c>, and for forecasts
/// <c>horizon</c> and <c>model</c> (which forecaster produced them). Series with different label names share a metric family: prometheus-net exports
/// every label-name combination of one name under one HELP/TYPE header.
/// </summary>
internal sealed class ForecastGauges(CollectorRegistry registry)
{
    public const string PredictedValue = "predicted_value";
    public const string PredictedLower = "predicted_lower";
    public const string PredictedUpper = "predicted_upper";
    public const string AnomalyScore = "anomaly_score";
    public const string Residual = "residual";
    public const string AnomalySurprise = "anomaly_surprise";
    public const string AnomalyNovelty = "anomaly_novelty";
    public const string ThresholdCrossing = "predicted_threshold_crossing_seconds";

    private static readonly string[] Reserved = ["metric", "target", "horizon", "model"];

    private readonly IMetricFactory _factory = Metrics.WithCustomRegistry(registry);
    private readonly ConcurrentDictionary<string, Gauge> _gauges = new(StringComparer.Ordinal);

    /// <param name="withInterval">False for a forecaster without an interval: no lower and upper gauges.</param>
    public SeriesGauges Create(LabelSet labels, TargetSettings target, string model, bool withInterval = true)
    {
        var names = new List<string>();
        var values = new List<string>();
        foreach (var (name, value) in labels.Labels)
        {
            if (name == LabelSet.MetricNameLabel)
                continue;
            // Like Prometheus' honor_labels=false, a clashing source label keeps its value under exported_.
            names.Add(Reserved.Contains(name) ? "exported_" + name : SanitizeName(name));
            values.Add(value);
        }
        names.Add("metric");
        values.Add(labels.MetricName);
        names.Add("target");
        values.Add(target.Name);

        // One label-value array per distinct label set, shared by every child that carries it: prometheus-net
        // keeps the array it is given (no copy), so 13 children hold 4 arrays instead of 13.
        string[] seriesValues = [.. values];
        Gauge anomaly = GaugeFor(AnomalyScore, "Anomaly score of the latest step: 0-1 normal, above 1 anomalous.", names);
        Gauge.Child residual = GaugeFor(Residual, "Latest step's actual value minus its one-step forecast, in the series' unit.", names).WithLabels(seriesValues);
        Gauge.Child? surprise = target.Anomaly.SurpriseSteps > 0
            ? GaugeFor(AnomalySurprise, "How far the latest anomaly score stands above the series' own recent scores, in standard deviations (anomaly.surprise_window).", names).WithLabels(seriesValues)
            : null;
        Gauge.Child? novelty = target.Anomaly.Novelty is not null
            ? GaugeFor(AnomalyNovelty, "How far the latest step went beyond the series' own records (value, level, day-over-day change, forecast surprise), in units of anomaly.novelty_tolerance; 0 except where a rise peaks.", names).WithLabels(seriesValues)
            : null;
        names.Add("horizon");
        names.Add("model");
        var horizonValues = target.Horizons.Select(horizon => (string[])[.. values, horizon.Label, model]).ToArray();
        var predicted = Children(GaugeFor(PredictedValue, "Forecast (median) of the series at now + horizon.", names), horizonValues);
        if (!withInterval)
            return new SeriesGauges(model, predicted, [], [], anomaly.WithLabels(seriesValues), residual, [], surprise, novelty);
        var lower = Children(GaugeFor(PredictedLower, "Lower edge of the forecast interval (the lowest configured quantile) at now + horizon.", names), horizonValues);
        var upper = Children(GaugeFor(PredictedUpper, "Upper edge of the forecast interval (the highest configured quantile) at now + horizon.", names), horizonValues);
        Gauge.Child[] crossing = [];
        if (target.Capacity is { } capacity)
        {
            // The median path and the pessimistic edge: the upper one when the threshold is above, the lower one below.
            var quantiles = target.Model.Quantiles;
            string pessimistic = (capacity.Above ? quantiles[^1] : quantiles[0]).ToString(System.Globalization.CultureInfo.InvariantCulture);
            List<string> crossingNames = [.. names.Take(names.Count - 2), "quantile"];
            Gauge gauge = GaugeFor(ThresholdCrossing, "Seconds until the forecast crosses the target's capacity threshold, per forecast quantile; absent when it doesn't within the longest horizon.", crossingNames);
            crossing = [gauge.WithLabels([.. values, "0.5"]), gauge.WithLabels([.. values, pessimistic])];
        }
        return new SeriesGauges(model, predicted, lower, upper, anomaly.WithLabels(seriesValues), residual, crossing, surprise, novelty);
    }

    private static Gauge.Child[] Children(Gauge gauge, string[][] horizonValues) =>
        Array.ConvertAll(horizonValues, labelValues => gauge.WithLabels(labelValues));

    private Gauge GaugeFor(string name, string help, List<string> labelNames)
    {
        string key = name + "|" + string.Join(',', labelNames);
        return _gauges.GetOrAdd(key, _ => _factory.CreateGauge(name, help, [.. labelNames]));
    }

    // Exposition allows [a-zA-Z_][a-zA-Z0-9_]* and reserves the __ prefix.
    private static string SanitizeName(string name)
    {
        var chars = name.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            char c = chars[i];
            bool valid = char.IsAsciiLetter(c) || c == '_' || (i > 0 && char.IsAsciiDigit(c));
            if (!valid)
                chars[i] = '_';
        }
        string sanitized = new(chars);
        return sanitized.StartsWith("__", StringComparison.Ordinal) ? "exported" + sanitized : sanitized;
    }
}

/// <summary>The gauge children of one series. Setting a value does not allocate.</summary>
internal sealed class SeriesGauges(string model, Gauge.Child[] predicted, Gauge.Child[] lower, Gauge.Child[] upper, Gauge.Child anomaly, Gauge.Child residual, Gauge.Child[] crossing,
    Gauge.Child? surprise = null, Gauge.Child? novelty = null)
{
    /// <summary>The forecaster the gauges are labelled with.</summary>
    public string Model { get; } = model;

    /// <summary>One per horizon, in the target's horizon order.</summary>
    public Gauge.Child[] Predicted { get; } = predicted;

    /// <summary>Empty for a forecaster without an interval.</summary>
    public Gauge.Child[] Lower { get; } = lower;

    public Gauge.Child[] Upper { get; } = upper;

    public Gauge.Child Anomaly { get; } = anomaly;

    public Gauge.Child Residual { get; } = residual;

    /// <summary>Null when <c>anomaly.surprise_window</c> is 0.</summary>
    public Gauge.Child? Surprise { get; } = surprise;

    /// <summary>Null when <c>anomaly.novelty_tolerance</c> is 0.</summary>
    public Gauge.Child? Novelty { get; } = novelty;

    /// <summary>With capacity planning: seconds to the crossing on the median path, then on the pessimistic one.</summary>
    public Gauge.Child[] Crossing { get; } = crossing;

    /// <summary>Takes the series off /metrics, so Prometheus marks it stale at the next scrape.</summary>
    public void Remove()
    {
        foreach (var child in Predicted.Concat(Lower).Concat(Upper).Concat(Crossing))
            child.Remove();
        Anomaly.Remove();
        Residual.Remove();
        Surprise?.Remove();
        Novelty?.Remove();
    }
}
