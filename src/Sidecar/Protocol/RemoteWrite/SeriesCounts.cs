namespace Sidecar.Protocol.RemoteWrite;

/// <summary>How many entries of each repeated field a time series carries.</summary>
internal struct SeriesCounts
{
    public int Samples;
    public int Exemplars;
    public int Histograms;
}
