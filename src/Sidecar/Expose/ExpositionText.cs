using System.Buffers;
using System.Globalization;
using System.Text;

namespace Sidecar.Expose;

/// <summary>
/// The pieces of Prometheus' text exposition (0.0.4) and OpenMetrics 1.0 that the two formats share for
/// gauges: label pairs with escaped values, sample values, and HELP/TYPE lines.
/// </summary>
internal static class ExpositionText
{
    /// <summary>Longest sample value written: a round-trip double is at most 24 characters.</summary>
    public const int MaxValueLength = 32;

    /// <summary>Appends <c>name="value"</c>, escaping backslash, double quote and line feed as both formats require.</summary>
    public static void AppendLabel(StringBuilder text, string name, string value)
    {
        text.Append(name).Append("=\"");
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
        text.Append('"');
    }

    /// <summary>The HELP and TYPE lines of a gauge family.</summary>
    public static byte[] GaugeHeader(string name, string help)
    {
        // Both formats escape backslash and line feed in HELP; OpenMetrics also the double quote, which the
        // text format would show literally, so a help text that needs one is refused.
        if (help.AsSpan().IndexOfAny("\\\n\"") >= 0)
            throw new ArgumentException($"help text of {name} needs escaping", nameof(help));
        return Encoding.UTF8.GetBytes($"# HELP {name} {help}\n# TYPE {name} gauge\n");
    }

    /// <summary>
    /// Writes a sample value as both formats parse it: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c> or the shortest
    /// decimal that reads back as the same double. Returns the bytes written.
    /// </summary>
    public static int WriteValue(Span<byte> destination, double value)
    {
        ReadOnlySpan<byte> special = double.IsNaN(value) ? "NaN"u8
            : double.IsPositiveInfinity(value) ? "+Inf"u8
            : double.IsNegativeInfinity(value) ? "-Inf"u8
            : default;
        if (!special.IsEmpty)
        {
            special.CopyTo(destination);
            return special.Length;
        }
        if (!value.TryFormat(destination, out int written, "R", CultureInfo.InvariantCulture))
            throw new InvalidOperationException("a sample value outgrew its buffer");
        return written;
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="writer"/>.</summary>
    public static void Write(IBufferWriter<byte> writer, ReadOnlySpan<byte> source)
    {
        source.CopyTo(writer.GetSpan(source.Length));
        writer.Advance(source.Length);
    }
}
