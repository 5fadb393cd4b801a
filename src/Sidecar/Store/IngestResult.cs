namespace Sidecar.Store;

/// <summary>What one write did, for self-metrics and the response.</summary>
internal struct IngestResult
{
    public int SamplesAccepted;
    public int SamplesUnselected;
    public int SamplesNonFinite;
    public int SamplesOverLimit;
    public int StaleMarkers;
    public int InvalidSeries;

    /// <summary>The first invalid series in the request, named for the 400 response.</summary>
    public string? FirstInvalid;

    public readonly int SamplesDropped => SamplesUnselected + SamplesNonFinite + SamplesOverLimit;
}
