using System.Globalization;
using System.Text.Encodings.Web;

namespace Sidecar.Web;

/// <summary>
/// Escaping and number/time formatting for the pages. Label values arrive by remote-write from anyone
/// who can write to us, so every string that did not come from this file goes through <see cref="Text"/>.
/// </summary>
internal static class Html
{
    /// <summary>Escapes for element text and double-quoted attribute values alike (&lt; &gt; &amp; " ').</summary>
    public static string Text(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>A query-string component, escaped again by the caller when it goes into an attribute.</summary>
    public static string Query(string value) => Uri.EscapeDataString(value);

    /// <summary>Round-trip precision for data-* attributes, so tests and scripts read back the exact float.</summary>
    public static string Data(double value) => double.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    public static string Data(float value) => float.IsNaN(value) ? "NaN" : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A number for people: four significant digits, or an en dash when there is none.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) || double.IsInfinity(value) ? "–" : value.ToString("G4", CultureInfo.InvariantCulture);

    /// <summary>SVG coordinates: one decimal is finer than a pixel and keeps the paths short.</summary>
    public static string Coordinate(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset? at) =>
        at is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "–";

    public static string Time(long unixMs) => Time(DateTimeOffset.FromUnixTimeMilliseconds(unixMs));

    /// <summary>A step in Prometheus' duration notation (15s, 5m, 1h).</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalHours >= 1 && span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : span.TotalSeconds >= 1 && span.TotalSeconds == Math.Floor(span.TotalSeconds) ? $"{span.TotalSeconds:0}s"
        : $"{span.TotalMilliseconds:0}ms";
}
