using Prometheus;
using Sidecar.Expose;

namespace Sidecar.Tests.Support;

/// <summary>What a registry exports, as Prometheus would scrape it from /metrics.</summary>
internal static class RegistryText
{
    /// <summary>A scrape of /metrics: the forecast gauges made for the registry (<see cref="TestGauges"/>), then the registry.</summary>
    public static async Task<string> ScrapeAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await MetricsExposition.WriteAsync(stream, TestGauges.Of(registry) ?? new ForecastGauges(), registry);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The value of one exposed series, written exactly as exposed (name and labels); <paramref name="absent"/> when it isn't there.</summary>
    public static double ValueOf(string text, string series, double absent = double.NaN)
    {
        var match = System.Text.RegularExpressions.Regex.Match(text, "(?m)^" + System.Text.RegularExpressions.Regex.Escape(series) + @" (\S+)$");
        return match.Success ? ParseValue(match.Groups[1].Value) : absent;
    }

    /// <summary>A sample value as Prometheus parses it (<c>+Inf</c>, <c>-Inf</c>, <c>NaN</c> or a number).</summary>
    public static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
    };
}
