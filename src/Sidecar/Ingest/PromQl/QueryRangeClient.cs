using System.Globalization;
using System.Text.Json;
using Sidecar.Host;
using Sidecar.Protocol.RemoteWrite;

namespace Sidecar.Ingest.PromQl;

/// <summary>Runs PromQL range queries through Prometheus' <c>/api/v1/query_range</c>.</summary>
internal sealed class QueryRangeClient(HttpClient http, Func<PrometheusSettings> currentSettings)
{
    public QueryRangeClient(HttpClient http, PrometheusSettings settings)
        : this(http, () => settings)
    {
    }

    // Read per request, so a reload's Prometheus settings apply from the next request on.
    private PrometheusSettings Settings => currentSettings();

    /// <summary>Prometheus refuses ranges of more than 11,000 points per series; stay under it.</summary>
    public const int MaxPointsPerQuery = 10_000;

    public delegate void SeriesCallback(List<KeyValuePair<string, string>> labels, ReadOnlySpan<SampleValue> samples);

    /// <returns>Samples read.</returns>
    public async Task<long> QueryAsync(string query, long startMs, long endMs, long stepMs, SeriesCallback onSeries, CancellationToken cancellation)
    {
        var invariant = CultureInfo.InvariantCulture;
        var url = new Uri(Settings.BaseUrl!, "api/v1/query_range");
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["query"] = query,
            ["start"] = (startMs / 1000.0).ToString("0.###", invariant),
            ["end"] = (endMs / 1000.0).ToString("0.###", invariant),
            ["step"] = (stepMs / 1000.0).ToString("0.###", invariant),
        });
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Settings.Timeout);
        using var response = await http.PostAsync(url, form, timeout.Token);
        if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            // A 401 from Prometheus' web config, or a proxy's error page: plain text, not the API's JSON.
            string text = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpRequestException($"query_range: {url} answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 300)].Trim()}");
        }
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: timeout.Token);
        var root = document.RootElement;
        if (!response.IsSuccessStatusCode || root.GetProperty("status").GetString() != "success")
        {
            string error = root.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "";
            throw new HttpRequestException($"query_range: {url} answered {(int)response.StatusCode}: {error}");
        }
        var data = root.GetProperty("data");
        if (data.GetProperty("resultType").GetString() != "matrix")
            throw new HttpRequestException("query_range: expected a matrix result");
        long total = 0;
        var labels = new List<KeyValuePair<string, string>>();
        var samples = new List<SampleValue>();
        foreach (var series in data.GetProperty("result").EnumerateArray())
        {
            labels.Clear();
            samples.Clear();
            foreach (var label in series.GetProperty("metric").EnumerateObject())
                labels.Add(new(label.Name, label.Value.GetString() ?? ""));
            foreach (var point in series.GetProperty("values").EnumerateArray())
            {
                long timestampMs = (long)Math.Round(point[0].GetDouble() * 1000);
                // Prometheus writes values as strings so NaN and ±Inf survive JSON.
                double value = double.Parse(point[1].GetString()!, NumberStyles.Float, invariant);
                samples.Add(new SampleValue(timestampMs, value));
            }
            onSeries(labels, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
            total += samples.Count;
        }
        return total;
    }
}
