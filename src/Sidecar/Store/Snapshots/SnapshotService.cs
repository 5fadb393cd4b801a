using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Host;

namespace Sidecar.Store.Snapshots;

/// <summary>
/// Restores the store from the data directory at start, snapshots it every
/// <c>storage.snapshot_interval</c>, and once more at graceful shutdown. A corrupt or truncated snapshot
/// is moved aside with a log line and the sidecar starts without it.
/// </summary>
internal sealed class SnapshotService(SeriesStore store, SidecarSettings settings, StoragePath storage, TimeProvider time, ILogger<SnapshotService> logger)
    : BackgroundService
{
    /// <summary>Raised after each snapshot is on disk, so state kept outside the store is saved with it.</summary>
    public event Action? Written;

    /// <summary>Restores the last snapshot, if any. Called once, before ingest starts.</summary>
    public void Restore()
    {
        try
        {
            var entries = SnapshotFile.Read(storage.Directory);
            if (entries is null)
                return;
            var (restored, skipped) = store.Restore(entries);
            logger.LogInformation("Restored {Restored} series from {Path} ({Skipped} skipped: their target is gone or changed)",
                restored, Path.Combine(storage.Directory, SnapshotFile.FileName), skipped);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            string path = Path.Combine(storage.Directory, SnapshotFile.FileName);
            string aside = $"{path}.corrupt-{time.GetUtcNow().ToUnixTimeSeconds()}";
            File.Move(path, aside, overwrite: true);
            logger.LogWarning("Snapshot {Path} is unusable and was moved to {Aside}; starting without it: {Reason}", path, aside, e.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.SnapshotInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                Snapshot("periodic");
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Snapshot("shutdown");
    }

    private void Snapshot(string why)
    {
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            int series = SnapshotFile.Write(storage.Directory, store);
            logger.LogInformation("Snapshot ({Why}): {Series} series in {Seconds:F2}s", why, series, clock.Elapsed.TotalSeconds);
            Written?.Invoke();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next snapshot may succeed; the data in memory is untouched either way.
            logger.LogError("Snapshot ({Why}) to {Directory} failed: {Reason}", why, storage.Directory, e.Message);
        }
    }
}
