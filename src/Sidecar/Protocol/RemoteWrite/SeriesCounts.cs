namespace Sidecar.Protocol.RemoteWrite;

/// <summary>How many entries of each repeated field a time series carries.</summary>
internal struct SeriesCounts
{
    public int Samples;

    /// <summary>
    /// Where the first <c>samples</c> field starts in the series' message (0 when none was seen), so the
    /// samples are read from there instead of skipping the labels the scan already went through.
    /// </summary>
    public int FirstSampleAt;
    public int Exemplars;
    public int Histograms;
}
