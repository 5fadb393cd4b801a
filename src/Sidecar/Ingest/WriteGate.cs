namespace Sidecar.Ingest;

/// <summary>
/// Bounds the remote-write requests decoded at once. A request over the bound is turned away at once
/// with 503 and Retry-After instead of queueing, so memory stays bounded and Prometheus backs off and
/// resends: nothing is lost.
/// </summary>
internal sealed class WriteGate(int maxInflight) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxInflight, maxInflight);

    public bool TryEnter() => _slots.Wait(0);

    public void Exit() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
