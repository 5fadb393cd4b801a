namespace Sidecar.Bench;

/// <summary>
/// The process's peak resident set (Linux's <c>VmHWM</c>), and a way to start a new peak, so a bench can
/// report the highest RSS of one phase rather than of the whole run. Elsewhere both report nothing.
/// </summary>
internal static class PeakRss
{
    /// <summary>Restarts the peak at the current RSS (writing 5 to <c>/proc/self/clear_refs</c>); false where that isn't possible.</summary>
    public static bool Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The peak RSS in bytes since the process started or the last <see cref="Reset"/>; null where unknown.</summary>
    public static long? Bytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                // "VmHWM:    123456 kB"
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
