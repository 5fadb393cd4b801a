namespace Sidecar.Ingest;

/// <summary>Tells the demo source, in <c>auto</c> mode, that a real Prometheus has started writing.</summary>
internal sealed class DemoSwitch
{
    private readonly CancellationTokenSource _realData = new();

    public CancellationToken RealDataToken => _realData.Token;

    public bool RealDataSeen => _realData.IsCancellationRequested;

    public void RealDataArrived()
    {
        if (!_realData.IsCancellationRequested)
            _realData.Cancel();
    }
}
