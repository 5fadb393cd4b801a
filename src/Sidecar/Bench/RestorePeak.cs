using System.Diagnostics;
using System.Globalization;
using Sidecar.Host;
using Sidecar.Store;
using Sidecar.Store.Snapshots;

namespace Sidecar.Bench;

/// <summary>
/// The peak RSS of restoring a snapshot in a process of its own, as a sidecar does at start. Measured in
/// the bench's own process, the peak also held what the filled and served store had left resident: the
/// garbage collector and glibc keep freed memory mapped, so a peak started afterwards counted both stores.
/// </summary>
internal static class RestorePeak
{
    /// <summary>Runs <c>bench store-restore</c> in a child process and returns the peak RSS it reports, with its restore time.</summary>
    public static (long PeakBytes, double Seconds, int Restored) InChildProcess(string directory, long nowMs)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        // Under the dotnet host the program is its first argument; an apphost is the program itself.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            start.ArgumentList.Add(typeof(RestorePeak).Assembly.Location);
        foreach (string argument in new[] { "bench", "store-restore", "--dir", directory, "--now-ms", nowMs.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        using var child = Process.Start(start) ?? throw new InvalidOperationException("bench store-restore did not start");
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"bench store-restore exited with {child.ExitCode}:\n{output}");
        long peak = long.Parse(Field(output, "restore_peak_rss_bytes"), CultureInfo.InvariantCulture);
        double seconds = double.Parse(Field(output, "restore_seconds"), CultureInfo.InvariantCulture);
        int restored = int.Parse(Field(output, "restored_series"), CultureInfo.InvariantCulture);
        return (peak, seconds, restored);
    }

    /// <summary><c>bench store-restore</c>: restores <paramref name="directory"/>'s snapshot into a store with the settings of <c>bench store-memory</c>.</summary>
    public static int Run(string directory, long nowMs)
    {
        var clock = new Backtest.SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(nowMs));
        var watch = Stopwatch.StartNew();
        var store = new SeriesStore(StoreMemory.Settings(), clock);
        var (restored, _) = store.Restore(SnapshotFile.Read(directory) ?? throw new FileNotFoundException("no snapshot", directory));
        double seconds = watch.Elapsed.TotalSeconds;
        // VmHWM of this process since it started: the runtime, the restore and nothing before it.
        long peak = PeakRss.Bytes() ?? -1;
        GC.KeepAlive(store);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"restore_seconds={seconds:F2} restored_series={restored} restore_peak_rss_bytes={peak} ({peak / (double)(1L << 30):F2} GiB, the whole process)"));
        return 0;
    }

    private static string Field(string output, string name)
    {
        int at = output.IndexOf(name + "=", StringComparison.Ordinal);
        if (at < 0)
            throw new InvalidOperationException($"bench store-restore printed no {name}:\n{output}");
        int from = at + name.Length + 1, end = from;
        while (end < output.Length && !char.IsWhiteSpace(output[end]))
            end++;
        return output[from..end];
    }
}
