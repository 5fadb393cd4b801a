namespace Sidecar.Ingest;

/// <summary>
/// Bounds the remote-write requests decoded at once. A request over the bound is turned away at once
/// with 503 and Retry-After instead of queueing, so memory stays bounded and Prometheus backs off and
/// resends: nothing is lost. The bound follows <c>limits.max_inflight_requests</c> across reloads.
/// </summary>
internal sealed class WriteGate(int maxInflight)
{
    private int _inflight;
    private volatile int _limit = maxInflight;

    /// <summary>Takes effect for requests that arrive from now on; those in flight finish either way.</summary>
    public int Limit
    {
        get => _limit;
        set => _limit = value;
    }

    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _inflight) <= _limit)
            return true;
        Interlocked.Decrement(ref _inflight);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _inflight);
}
