using System.Globalization;

namespace Sidecar.Backtest;

/// <summary>
/// The timestamp spellings a backtest CSV may use, all read as UTC unless they carry an offset: NAB's
/// <c>2014-02-14 14:30:00</c>, ISO 8601 (<c>2014-02-14T14:30:00Z</c>, optional fraction and offset), and
/// unix seconds, integer or fractional (<c>1392388200</c>, <c>1392388200.25</c>).
/// </summary>
internal static class CsvTimestamp
{
    public const string ExpectedFormats = "YYYY-MM-DD HH:MM:SS, ISO 8601 or unix seconds";

    // Unix seconds beyond this (the year 5138) are far more likely a unit mistake (milliseconds) than a date.
    private const decimal MaxUnixSeconds = 100_000_000_000m;

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>Parses one timestamp field into unix milliseconds (a finer fraction is rounded).</summary>
    public static bool TryParse(string text, out long unixMs)
    {
        unixMs = 0;
        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds))
        {
            if (Math.Abs(seconds) >= MaxUnixSeconds)
                return false;
            unixMs = (long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);
            return true;
        }
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            unixMs = time.ToUnixTimeMilliseconds();
            return true;
        }
        return false;
    }
}
