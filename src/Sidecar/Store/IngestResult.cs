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
    public int InvalidSamples;
    public int Histograms;
    public int Exemplars;
    public int Metadata;

    /// <summary>Why decoding stopped early; what came before it stays stored, as counted here.</summary>
    public string? Malformed;

    /// <summary>The first invalid series in the request, named for the 400 response.</summary>
    public string? FirstInvalid;

    /// <summary>Samples of valid series: stored, or deliberately not modelled. What v2's written header reports.</summary>
    public readonly int SamplesWritten => SamplesAccepted + SamplesUnselected + SamplesNonFinite + SamplesOverLimit + StaleMarkers;
}
