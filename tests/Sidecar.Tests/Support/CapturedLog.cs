using Microsoft.Extensions.Logging;

namespace Sidecar.Tests.Support;

/// <summary>Every line the host logs, formatted with its exception, kept for assertions about what was (not) logged.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly List<string> _lines = [];

    public string Text
    {
        get
        {
            lock (_lines)
                return string.Join('\n', _lines);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            string line = $"{logLevel} {category}: {formatter(state, exception)} {exception}";
            lock (log._lines)
                log._lines.Add(line);
        }
    }
}
