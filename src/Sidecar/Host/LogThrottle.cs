using System.Collections.Concurrent;

namespace Sidecar.Host;

/// <summary>
/// Lets a repeated event through to the log at most once per interval per key, and says how many were
/// held back, so a flood of refused series can't turn into a flood of log lines.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, (DateTimeOffset Next, int Suppressed)> _state = new(StringComparer.Ordinal);

    /// <returns>True when this occurrence should be logged; <paramref name="suppressed"/> counts those held back since the last.</returns>
    public bool ShouldLog(string key, out int suppressed)
    {
        DateTimeOffset now = time.GetUtcNow();
        bool log = false;
        int held = 0;
        _state.AddOrUpdate(key,
            _ => { log = true; return (now + interval, 0); },
            (_, current) =>
            {
                if (now >= current.Next)
                {
                    log = true;
                    held = current.Suppressed;
                    return (now + interval, 0);
                }
                log = false;
                return (current.Next, current.Suppressed + 1);
            });
        suppressed = held;
        return log;
    }
}
