using System.Globalization;

namespace Sidecar.Host;

/// <summary>
/// Prometheus duration strings such as <c>15s</c>, <c>1h30m</c>, <c>7d</c> or <c>500ms</c>. Units, largest
/// first, each at most once: y (365d), w, d, h, m, s, ms.
/// </summary>
internal static class PromDuration
{
    private static readonly (string Unit, TimeSpan Size)[] Units =
    [
        ("y", TimeSpan.FromDays(365)),
        ("w", TimeSpan.FromDays(7)),
        ("d", TimeSpan.FromDays(1)),
        ("h", TimeSpan.FromHours(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("ms", TimeSpan.FromMilliseconds(1)),
    ];

    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text))
            return false;
        int position = 0, nextUnit = 0;
        while (position < text.Length)
        {
            int digitsStart = position;
            while (position < text.Length && char.IsAsciiDigit(text[position]))
                position++;
            if (position == digitsStart
                || !long.TryParse(text.AsSpan(digitsStart, position - digitsStart), NumberStyles.None, CultureInfo.InvariantCulture, out long amount))
                return false;
            int unitIndex = -1;
            for (int u = nextUnit; u < Units.Length; u++)
            {
                string unit = Units[u].Unit;
                // "m" must not swallow the "m" of "ms".
                bool matches = string.CompareOrdinal(text, position, unit, 0, unit.Length) == 0
                    && !(unit == "m" && position + 1 < text.Length && text[position + 1] == 's');
                if (matches)
                {
                    unitIndex = u;
                    break;
                }
            }
            if (unitIndex < 0)
                return false;
            try
            {
                duration = checked(duration + Units[unitIndex].Size * amount);
            }
            catch (Exception e) when (e is OverflowException)
            {
                return false;
            }
            position += Units[unitIndex].Unit.Length;
            nextUnit = unitIndex + 1;
        }
        return true;
    }

    /// <summary>The shortest Prometheus spelling, e.g. 90 minutes gives <c>1h30m</c>.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
            return "0s";
        var text = new System.Text.StringBuilder();
        long remaining = (long)duration.TotalMilliseconds;
        foreach (var (unit, size) in Units)
        {
            long sizeMs = (long)size.TotalMilliseconds;
            if (remaining >= sizeMs)
            {
                text.Append(remaining / sizeMs).Append(unit);
                remaining %= sizeMs;
            }
        }
        return text.ToString();
    }
}
