using System.Globalization;

namespace Sidecar.Bench;

/// <summary>
/// Pushes whatever a benchmark's code last touched out of the processor's caches, by reading and writing a
/// buffer twice the size of the last-level cache (64 MiB to 1 GiB) a cache line at a time. A pipeline step
/// in production starts a minute after the last one, with ingest, scrapes and training in between, so
/// little of what it touches may still be cached, where a bench running steps back to back finds most of it
/// there. Flushed is the other bound: how much survives a minute depends on the machine's other work.
/// </summary>
internal sealed class CacheFlush
{
    private const int LineBytes = 64;
    private const long MinimumBytes = 64L << 20;

    // An array's limit is below 2 GiB; no last-level cache listed for one CPU comes near half of that.
    private const long MaximumBytes = 1L << 30;

    private readonly byte[] _buffer;

    // Kept so the reads can't be elided.
    private long _sum;

    public CacheFlush()
    {
        long lastLevel = LastLevelCacheBytes();
        _buffer = new byte[Math.Clamp(2 * lastLevel, MinimumBytes, MaximumBytes)];
    }

    /// <summary>Bytes read and written by each <see cref="Run"/>.</summary>
    public long Bytes => _buffer.LongLength;

    /// <summary>Touches every cache line of the buffer: a write too, so each line is owned and the lines it evicts go.</summary>
    public void Run()
    {
        byte[] buffer = _buffer;
        long sum = _sum;
        for (int i = 0; i < buffer.Length; i += LineBytes)
            sum += ++buffer[i];
        _sum = sum;
    }

    /// <summary>The largest data or unified cache Linux lists for CPU 0 (<c>/sys/devices/system/cpu/cpu0/cache</c>), 0 where it lists none.</summary>
    internal static long LastLevelCacheBytes(string directory = "/sys/devices/system/cpu/cpu0/cache")
    {
        long largest = 0;
        if (!Directory.Exists(directory))
            return 0;
        foreach (string index in Directory.EnumerateDirectories(directory, "index*"))
        {
            string type = ReadOrEmpty(Path.Combine(index, "type"));
            if (type is "Data" or "Unified")
                largest = Math.Max(largest, ParseSize(ReadOrEmpty(Path.Combine(index, "size"))));
        }
        return largest;
    }

    // sysfs writes sizes as "32768K" (or "2M"); anything else counts as nothing.
    internal static long ParseSize(string text)
    {
        if (text.Length == 0)
            return 0;
        long unit = char.ToUpperInvariant(text[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, _ => 1 };
        string digits = unit == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ? value * unit : 0;
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
