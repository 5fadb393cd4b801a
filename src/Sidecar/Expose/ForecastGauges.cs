using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using Sidecar.Host;
using Sidecar.Store;

namespace Sidecar.Expose;

/// <summary>
/// The user-facing gauges of every series: <c>predicted_value</c> (the median), <c>predicted_lower</c> and
/// <c>predicted_upper</c> (the outermost quantiles) per horizon, <c>anomaly_score</c> and the other scores,
/// and with capacity planning <c>predicted_threshold_crossing_seconds</c>. They carry the series' own
/// labels, its <c>__name__</c> as <c>metric</c>, plus <c>target</c>, and for forecasts <c>horizon</c> and
/// <c>model</c> (which forecaster produced them). Series with different label names share a family.
/// </summary>
/// <remarks>
/// Written straight from each series' values (<see cref="SeriesGauges"/>) instead of through prometheus-net
/// children, as kube-state-metrics writes its objects' series: at 100k series a prometheus-net child cost
/// about 550 bytes (its label sequences, its dictionary entry and its rendered label text), 7.2 KB for a
/// series' 13 gauges, where one value array and the label text rendered once cost a few hundred. Everything
/// else on /metrics stays in prometheus-net's registry (<see cref="MetricsExposition"/>).
/// </remarks>
internal sealed class ForecastGauges
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

    // Flush to the response after about this many bytes, so a scrape of 100k series streams instead of
    // building 200 MB first.
    private const int FlushBytes = 64 * 1024;

    private static readonly Family[] Families =
    [
        new(PredictedValue, "Forecast (median) of the series at now + horizon.", GaugeKind.Predicted),
        new(PredictedLower, "Lower edge of the forecast interval (the lowest configured quantile) at now + horizon.", GaugeKind.Lower),
        new(PredictedUpper, "Upper edge of the forecast interval (the highest configured quantile) at now + horizon.", GaugeKind.Upper),
        new(AnomalyScore, "Anomaly score of the latest step: 0-1 normal, above 1 anomalous.", GaugeKind.Anomaly),
        new(Residual, "Latest step's actual value minus its one-step forecast, in the series' unit.", GaugeKind.Residual),
        new(AnomalySurprise, "How far the latest anomaly score stands above the series' own recent scores, in standard deviations (anomaly.surprise_window).", GaugeKind.Surprise),
        new(AnomalyNovelty, "How far the latest step went beyond the series' own records (value, level, day-over-day and week-over-week change, forecast surprise), in units of anomaly.novelty_tolerance; 0 except where a rise peaks.", GaugeKind.Novelty),
        new(ThresholdCrossing, "Seconds until the forecast crosses the target's capacity threshold, per forecast quantile; absent when it doesn't within the longest horizon.", GaugeKind.Crossing),
    ];

    private readonly ConcurrentDictionary<SeriesGauges, byte> _live = new(ReferenceEqualityComparer.Instance);

    // The labels after a series' own, shared by every series of one target and model.
    private readonly ConcurrentDictionary<string, byte[][]> _suffixes = new(StringComparer.Ordinal);

    /// <summary>Series exposed now.</summary>
    public int Count => _live.Count;

    /// <param name="withInterval">False for a forecaster without an interval: no lower and upper gauges.</param>
    public SeriesGauges Create(LabelSet labels, TargetSettings target, string model, bool withInterval = true)
    {
        var text = new StringBuilder();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, value) in labels.Labels)
        {
            if (name == LabelSet.MetricNameLabel)
                continue;
            // Like Prometheus' honor_labels=false, a clashing source label keeps its value under exported_.
            string exposed = Reserved.Contains(name) ? "exported_" + name : SanitizeName(name);
            // Two names that sanitise alike would make a sample Prometheus rejects; the first one stays.
            if (!seen.Add(exposed))
                continue;
            ExpositionText.AppendLabel(text, exposed, value);
            text.Append(',');
        }
        ExpositionText.AppendLabel(text, "metric", labels.MetricName);
        text.Append(',');
        ExpositionText.AppendLabel(text, "target", target.Name);

        string[] horizons = [.. target.Horizons.Select(horizon => horizon.Label)];
        byte[][] horizonLabels = _suffixes.GetOrAdd(string.Join('\0', [.. horizons, model]),
            _ => Array.ConvertAll(horizons, horizon => Suffix(("horizon", horizon), ("model", model))));
        byte[][] crossingLabels = [];
        if (withInterval && target.Capacity is { } capacity)
        {
            // The median path and the pessimistic edge: the upper one when the threshold is above, the lower one below.
            var quantiles = target.Model.Quantiles;
            string pessimistic = (capacity.Above ? quantiles[^1] : quantiles[0]).ToString(CultureInfo.InvariantCulture);
            crossingLabels = _suffixes.GetOrAdd("quantile\0" + pessimistic,
                _ => [Suffix(("quantile", "0.5")), Suffix(("quantile", pessimistic))]);
        }
        var series = new SeriesGauges(this, model, Encoding.UTF8.GetBytes(text.ToString()), horizonLabels, crossingLabels,
            withInterval, target.Anomaly.SurpriseSteps > 0, target.Anomaly.Novelty is not null);
        _live[series] = 0;
        return series;
    }

    internal void Forget(SeriesGauges series) => _live.TryRemove(series, out _);

    /// <summary>
    /// Writes every exposed gauge, family by family, in the text format or OpenMetrics (which differ in
    /// nothing a gauge uses but the end marker, which the caller writes). Series added or removed meanwhile
    /// may be in some families and not others, as with any registry scraped while it changes.
    /// </summary>
    public async Task WriteAsync(PipeWriter writer, CancellationToken cancellationToken)
    {
        foreach (var family in Families)
        {
            bool headerWritten = false;
            long unflushed = 0;
            foreach (var series in _live.Keys)
            {
                var (first, count, suffixes) = series.SlotsOf(family.Kind);
                for (int i = 0; i < count; i++)
                {
                    if (!series.TryRead(first + i, out double value))
                        continue;
                    if (!headerWritten)
                    {
                        ExpositionText.Write(writer, family.Header);
                        headerWritten = true;
                    }
                    unflushed += WriteSample(writer, family.NameBytes, series.LabelText, suffixes.Length > 0 ? suffixes[i] : [], value);
                }
                if (unflushed >= FlushBytes)
                {
                    unflushed = 0;
                    var flushed = await writer.FlushAsync(cancellationToken);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                        return;
                }
            }
        }
        await writer.FlushAsync(cancellationToken);
    }

    private static int WriteSample(PipeWriter writer, byte[] name, byte[] labels, byte[] suffix, double value)
    {
        int length = name.Length + labels.Length + suffix.Length + 4 + ExpositionText.MaxValueLength;
        Span<byte> line = writer.GetSpan(length);
        int at = 0;
        name.CopyTo(line);
        at += name.Length;
        line[at++] = (byte)'{';
        labels.CopyTo(line[at..]);
        at += labels.Length;
        suffix.CopyTo(line[at..]);
        at += suffix.Length;
        line[at++] = (byte)'}';
        line[at++] = (byte)' ';
        at += ExpositionText.WriteValue(line[at..], value);
        line[at++] = (byte)'\n';
        writer.Advance(at);
        return at;
    }

    private static byte[] Suffix(params (string Name, string Value)[] labels)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in labels)
            ExpositionText.AppendLabel(text.Append(','), name, value);
        return Encoding.UTF8.GetBytes(text.ToString());
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

    private sealed class Family(string name, string help, GaugeKind kind)
    {
        public GaugeKind Kind { get; } = kind;

        public byte[] NameBytes { get; } = Encoding.UTF8.GetBytes(name);

        public byte[] Header { get; } = ExpositionText.GaugeHeader(name, help);
    }
}
