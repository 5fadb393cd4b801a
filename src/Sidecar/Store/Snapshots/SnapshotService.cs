using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Host;

namespace Sidecar.Store.Snapshots;

/// <summary>
/// Restores the store from the data directory at start, snapshots it every
/// <c>storage.snapshot_interval</c>, and once more at graceful shutdown. A corrupt or truncated snapshot
/// is moved aside with a log line and the sidecar starts without it.
/// </summary>
internal sealed class SnapshotService(SeriesStore store, SettingsHolder settings, StoragePath storage, Readiness readiness, TimeProvider time, ILogger<SnapshotService> logger)
    : BackgroundService
{
    private volatile bool _restoreCompleted;

    /// <summary>Raised after each snapshot is on disk, so state kept outside the store is saved with it.</summary>
    public event Action? Written;

    /// <summary>
    /// Restores the last snapshot, if any. Called once, before ingest starts: writes are refused until
    /// <see cref="Readiness.MarkRestored"/>, so no accepted sample can be overwritten by the restore.
    /// </summary>
    /// <returns>False if shutdown cut the restore short; the snapshot on disk must then stay as it is.</returns>
    public bool Restore(CancellationToken stopping = default)
    {
        try
        {
            var entries = SnapshotFile.Read(storage.Directory);
            if (entries is null)
                return true;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (restored, skipped) = store.Restore(entries.TakeWhile(_ => !stopping.IsCancellationRequested));
            if (stopping.IsCancellationRequested)
            {
                logger.LogWarning("Shutdown began while restoring the snapshot ({Restored} series restored so far): the snapshot on disk is kept as it is", restored);
                return false;
            }
            logger.LogInformation("Restored {Restored} series from {Path} in {Seconds:F1}s ({Skipped} skipped: their target is gone or changed)",
                restored, Path.Combine(storage.Directory, SnapshotFile.FileName), clock.Elapsed.TotalSeconds, skipped);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            string path = Path.Combine(storage.Directory, SnapshotFile.FileName);
            string aside = $"{path}.corrupt-{time.GetUtcNow().ToUnixTimeSeconds()}";
            File.Move(path, aside, overwrite: true);
            logger.LogWarning("Snapshot {Path} is unusable and was moved to {Aside}; starting without it: {Reason}", path, aside, e.Message);
        }
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the start-up path: the port answers /-/healthy (and /-/ready says 503) during a long restore.
        _restoreCompleted = await Task.Run(() => Restore(stoppingToken), CancellationToken.None);
        if (!_restoreCompleted)
            return;
        readiness.MarkRestored();
        using var timer = new PeriodicTimer(settings.Current.SnapshotInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Snapshot("periodic");
                // A reload may have changed the interval; it applies from the next tick on.
                timer.Period = settings.Current.SnapshotInterval;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // A partial store must never replace a whole snapshot.
        if (_restoreCompleted)
            Snapshot("shutdown", cancellationToken);
        else
            logger.LogWarning("No shutdown snapshot: the restore had not finished, so the snapshot on disk stays as it was");
    }

    private void Snapshot(string why, CancellationToken cancellation = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            int series = SnapshotFile.Write(storage.Directory, store, cancellation);
            logger.LogInformation("Snapshot ({Why}): {Series} series in {Seconds:F2}s", why, series, clock.Elapsed.TotalSeconds);
            Written?.Invoke();
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Said as it is: what the deadline cost, so an operator can raise --shutdown.timeout.
            string when = clock.Elapsed < TimeSpan.FromMilliseconds(50)
                ? "before it began (draining in-flight requests or stopping services took the whole time; those requests were aborted)"
                : $"after {clock.Elapsed.TotalSeconds:F1}s of writing";
            logger.LogError("Snapshot ({Why}) not taken: the shutdown deadline (--shutdown.timeout) passed {When}. The previous snapshot stays; "
                + "samples received since it and the streaming states are lost (models are saved when trained)", why, when);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The next snapshot may succeed; the data in memory is untouched either way.
            logger.LogError("Snapshot ({Why}) to {Directory} failed: {Reason}", why, storage.Directory, e.Message);
        }
    }
}
