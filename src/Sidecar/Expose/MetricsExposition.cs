using System.IO.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Sidecar.Expose;

/// <summary>
/// /metrics: the forecast gauges (<see cref="ForecastGauges"/>), then prometheus-net's registry (the
/// sidecar's own metrics), in the text format or, when the scraper asks for it as Prometheus does,
/// OpenMetrics. The registry comes last because in OpenMetrics it writes the <c># EOF</c> that ends a scrape.
/// </summary>
internal static class MetricsExposition
{
    public static IEndpointConventionBuilder MapMetricsExposition(this IEndpointRouteBuilder endpoints, string pattern) =>
        endpoints.MapGet(pattern, async (HttpContext context, ForecastGauges gauges, CollectorRegistry registry) =>
        {
            bool openMetrics = AcceptsOpenMetrics(context.Request.Headers.Accept);
            context.Response.ContentType = (openMetrics
                ? PrometheusConstants.ExporterOpenMetricsContentTypeValue
                : PrometheusConstants.ExporterContentTypeValue).ToString();
            await WriteAsync(context.Response.Body, gauges, registry, openMetrics, context.RequestAborted);
        });

    /// <summary>Writes what a scrape of /metrics returns.</summary>
    public static async Task WriteAsync(Stream destination, ForecastGauges gauges, CollectorRegistry registry, bool openMetrics = false,
        CancellationToken cancellationToken = default)
    {
        var writer = PipeWriter.Create(destination, new StreamPipeWriterOptions(leaveOpen: true));
        try
        {
            await gauges.WriteAsync(writer, cancellationToken);
        }
        catch (Exception failure)
        {
            // Hands the writer's pooled buffers back without flushing a half-written scrape.
            await writer.CompleteAsync(failure);
            throw;
        }
        await writer.CompleteAsync();
        await registry.CollectAndExportAsTextAsync(destination,
            openMetrics ? ExpositionFormat.OpenMetricsText : ExpositionFormat.PrometheusText, cancellationToken);
    }

    // As prometheus-net's own endpoint decides: any mention of OpenMetrics in Accept.
    private static bool AcceptsOpenMetrics(Microsoft.Extensions.Primitives.StringValues accept)
    {
        foreach (string? value in accept)
        {
            if (value is not null && value.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
