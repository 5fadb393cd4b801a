using System.Globalization;
using System.Text;

namespace Sidecar.Tests.Support;

/// <summary>
/// History for a test Prometheus to serve over remote-read, written as TSDB blocks by the real <c>promtool tsdb
/// create-blocks-from openmetrics</c> into the server's own directory, so it goes when the server does.
/// </summary>
/// <param name="Type">The OpenMetrics type of every family; a counter's samples keep their _total name.</param>
internal sealed record PrometheusHistory(IReadOnlyList<PrometheusHistory.Series> AllSeries, string Type = "gauge")
{
    public sealed record Series(string Name, IReadOnlyList<(string Name, string Value)> Labels, IReadOnlyList<(long TimestampMs, double Value)> Samples);

    /// <summary>Writes the blocks into <paramref name="dataDirectory"/>, ready for <c>--storage.tsdb.path</c>.</summary>
    public async Task WriteAsync(string dataDirectory)
    {
        string input = dataDirectory + ".om";
        var text = new StringBuilder();
        foreach (var group in AllSeries.GroupBy(s => s.Name))
        {
            string family = Type == "counter" && group.Key.EndsWith("_total", StringComparison.Ordinal) ? group.Key[..^6] : group.Key;
            text.Append("# TYPE ").Append(family).Append(' ').Append(Type).Append('\n');
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
        var (exitCode, output) = await PrometheusServer.PromtoolAsync("tsdb", "create-blocks-from", "openmetrics", input, dataDirectory);
        if (exitCode != 0)
            throw new InvalidOperationException("promtool tsdb create-blocks-from openmetrics failed:\n" + output);
    }

    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };
}
