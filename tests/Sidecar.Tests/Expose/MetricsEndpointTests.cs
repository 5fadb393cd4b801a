using Sidecar.Tests.Support;

namespace Sidecar.Tests.Expose;

/// <summary>
/// /metrics over real HTTP: the format follows the scraper's Accept, as Prometheus negotiates it. That the
/// forecast families come before OpenMetrics' end marker is <c>ForecastGaugesTests</c>'; that Prometheus reads
/// them from a scrape is the end-to-end tests'.
/// </summary>
public sealed class MetricsEndpointTests
{
    private const string Config = """
        demo:
          mode: off
        targets:
          - name: load
            selector: node_load1
            step: 1m
        """;

    [Fact]
    public async Task OpenMetricsWhenAskedForItAndTheTextFormatOtherwise()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config);

        using var plain = await sidecar.Http.GetAsync("/metrics");
        string text = await plain.Content.ReadAsStringAsync();
        Assert.Equal("text/plain", plain.Content.Headers.ContentType?.MediaType);
        Assert.Equal("0.0.4", plain.Content.Headers.ContentType?.Parameters.Single(p => p.Name == "version").Value);
        Assert.Contains("forecast_sidecar_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("# EOF", text, StringComparison.Ordinal);

        // What Prometheus 2.42 sends.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.TryAddWithoutValidation("Accept",
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
        using var open = await sidecar.Http.SendAsync(request);
        Assert.Equal("application/openmetrics-text", open.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("# EOF\n", await open.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
