using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Sidecar.Host;

/// <summary>
/// One logfmt line per event, as Prometheus writes them: <c>ts=… level=info source=… msg="…"</c> followed by
/// the message's named values (<c>Target=node Seconds=1.2</c>), so lines can be grepped and parsed alike.
/// An exception stays on the same line, its newlines escaped.
/// </summary>
internal sealed class LogfmtConsoleFormatter() : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "logfmt";
    private const string OriginalFormat = "{OriginalFormat}";

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        string message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
            return;
        var line = new StringBuilder(128);
        line.Append("ts=").Append(DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        line.Append(" level=").Append(Level(logEntry.LogLevel));
        line.Append(" source=");
        AppendValue(line, logEntry.Category);
        line.Append(" msg=");
        AppendValue(line, message);
        if (logEntry.State is IReadOnlyList<KeyValuePair<string, object?>> fields)
        {
            foreach (var (key, value) in fields)
            {
                if (key == OriginalFormat || key.Length == 0)
                    continue;
                line.Append(' ').Append(key).Append('=');
                AppendValue(line, Format(value));
            }
        }
        if (logEntry.Exception is { } exception)
        {
            line.Append(" err=");
            AppendValue(line, exception.ToString());
        }
        line.Append('\n');
        textWriter.Write(line);
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "error",
        _ => "critical",
    };

    private static string Format(object? value) => value switch
    {
        null => "",
        DateTimeOffset time => time.ToString("O", CultureInfo.InvariantCulture),
        DateTime time => time.ToString("O", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    // Quoted only when needed, as logfmt readers expect; quotes, backslashes and newlines escaped.
    private static void AppendValue(StringBuilder line, string value)
    {
        bool quote = value.Length == 0 || value.AsSpan().IndexOfAny(" =\"\\\n\r\t") >= 0;
        if (!quote)
        {
            line.Append(value);
            return;
        }
        line.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': line.Append("\\\""); break;
                case '\\': line.Append("\\\\"); break;
                case '\n': line.Append("\\n"); break;
                case '\r': line.Append("\\r"); break;
                case '\t': line.Append("\\t"); break;
                default: line.Append(c); break;
            }
        }
        line.Append('"');
    }
}
