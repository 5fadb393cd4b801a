namespace Sidecar.Host;

/// <summary>
/// Whether the sidecar can take data: the config is loaded by the time this exists; the snapshot is
/// restored later, in the background, so the port answers <c>/-/healthy</c> during a long restore; and
/// once shutdown begins no new write is taken, so everything accepted is in the final snapshot.
/// </summary>
internal sealed class Readiness
{
    private readonly TaskCompletionSource _restored = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _shuttingDown;

    /// <summary>Completes once the snapshot is restored (or there was none); writers wait for it.</summary>
    public Task Restored => _restored.Task;

    public bool IsRestored => _restored.Task.IsCompleted;

    public bool ShuttingDown => _shuttingDown;

    /// <summary>Writes are taken only between the restore and the start of shutdown.</summary>
    public bool AcceptsWrites => IsRestored && !_shuttingDown;

    /// <summary>Why writes are refused, for the 503 body; null when they are taken.</summary>
    public string? NotReadyReason =>
        _shuttingDown ? "shutting down" : IsRestored ? null : "restoring the snapshot";

    public void MarkRestored() => _restored.TrySetResult();

    public void MarkShuttingDown() => _shuttingDown = true;

    /// <summary>Blocks a background thread until the restore is done; false if <paramref name="stopping"/> fired first.</summary>
    public bool WaitRestored(CancellationToken stopping)
    {
        try
        {
            _restored.Task.Wait(stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
