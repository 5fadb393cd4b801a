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

    /// <summary>The value of one exposed series, written exactly as exposed (name and labels); <paramref name="absent"/> when it isn't there.</summary>
    public static double ValueOf(string text, string series, double absent = double.NaN)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, "(?m)^" + System.Text.RegularExpressions.Regex.Escape(series) + @" (\S+)$");
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : absent;
    }
}
