using System.Globalization;

namespace Sidecar.Host;

/// <summary>
/// Conversions of a flag's text to its value for <see cref="ValueFlag{T}"/>. Each throws
/// <see cref="FormatException"/> saying what is wrong with the text; the flag's name is put before it.
/// </summary>
internal static class FlagValues
{
    public static string Text(string text) => text;

    public static int Integer(string text) =>
        int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) ? value : throw new FormatException($"'{text}' is not an integer");

    public static int PositiveInteger(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : throw new FormatException($"'{text}' is not a positive integer");

    public static int NonNegativeInteger(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : throw new FormatException($"'{text}' is not an integer of 0 or more");

    public static long UnixMilliseconds(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long ms) ? ms : throw new FormatException($"'{text}' is not a time in Unix milliseconds");

    public static TimeSpan PositiveDuration(string text) =>
        PromDuration.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero ? value : throw new FormatException($"'{text}' is not a positive duration such as 30s");

    /// <summary>The text itself, when it is one of <paramref name="names"/>.</summary>
    public static Func<string, string> OneOf(params string[] names) =>
        text => names.Contains(text, StringComparer.Ordinal) ? text : throw new FormatException($"'{text}' is not one of {string.Join(", ", names)}");

    /// <summary>A <c>host:port</c> to listen on, kept as written.</summary>
    public static string ListenAddress(string text)
    {
        ServeFlags.ParseListenAddress(text);
        return text;
    }
}
