using Prometheus;

namespace Sidecar.Tests.Support;

/// <summary>What a registry exports, as Prometheus would scrape it from /metrics.</summary>
internal static class RegistryText
{
    public static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
