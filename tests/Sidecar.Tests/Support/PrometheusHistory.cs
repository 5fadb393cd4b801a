using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sidecar.Tests.Support;

/// <summary>
/// A Prometheus data directory with history written by the real <c>promtool tsdb create-blocks-from
/// openmetrics</c>, for Prometheus to serve over remote-read.
/// </summary>
internal static class PrometheusHistory
{
    public sealed record Series(string Name, IReadOnlyList<(string Name, string Value)> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples);

    /// <returns>The data directory, ready for <c>--storage.tsdb.path</c>.</returns>
    /// <param name="type">The OpenMetrics type of every family; a counter's samples keep their _total name.</param>
    public static async Task<string> CreateAsync(IEnumerable<Series> series, string type = "gauge")
    {
        PrometheusServer.RequireInstalled();
        string directory = Directory.CreateTempSubdirectory("prometheus-history-").FullName;
        string input = Path.Combine(directory, "history.om");
        string data = Path.Combine(directory, "data");
        var text = new StringBuilder();
        foreach (var group in series.GroupBy(s => s.Name))
        {
            string family = type == "counter" && group.Key.EndsWith("_total", StringComparison.Ordinal) ? group.Key[..^6] : group.Key;
            text.Append("# TYPE ").Append(family).Append(' ').Append(type).Append('\n');
            foreach (var s in group)
            {
                string labels = string.Join(",", s.Labels.Select(l => $"{l.Name}=\"{l.Value}\""));
                foreach (var (t, v) in s.Samples)
                {
                    text.Append(s.Name).Append('{').Append(labels).Append("} ")
                        .Append(Format(v)).Append(' ')
                        .Append((t / 1000.0).ToString("0.000", CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }
        text.Append("# EOF\n");
        await File.WriteAllTextAsync(input, text.ToString());
        var (exitCode, output) = await PrometheusServer.PromtoolAsync("tsdb", "create-blocks-from", "openmetrics", input, data);
        if (exitCode != 0)
            throw new InvalidOperationException("promtool tsdb create-blocks-from openmetrics failed:\n" + output);
        return data;
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
