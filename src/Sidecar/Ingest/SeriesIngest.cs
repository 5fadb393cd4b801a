using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>What both remote-write versions do with one routed series, once its scan is done.</summary>
internal static class SeriesIngest
{
    /// <param name="only">The route's only series, where it has exactly one (a valid route, then); given, the route itself is read only for a histogram to check.</param>
    /// <param name="series">The encoded series; 1.0 and 2.0 share the samples' field numbers.</param>
    /// <param name="histogramsField">Where this version keeps native histograms.</param>
    public static void Apply(SeriesRoute route, Series? only, ReadOnlySpan<byte> series, SeriesCounts counts, int histogramsField, long nowMs, ref IngestResult result)
    {
        string? invalid = (only is null ? route.InvalidReason : null)
            ?? (counts.Histograms > 0 ? InvalidHistogram(series, histogramsField, route) : null);
        if (invalid is not null)
        {
            result.InvalidSeries++;
            result.FirstInvalid ??= invalid;
            result.InvalidSamples += counts.Samples;
            return;
        }
        // Accepted, not modelled: counted for self-metrics and 2.0's written headers.
        result.Histograms += counts.Histograms;
        result.Exemplars += counts.Exemplars;
        if (only is null && !route.HasSeries)
        {
            // Most of a firehose: counted from the scan, never decoded.
            SeriesStore.CountUnrouted(route, counts.Samples, ref result);
            return;
        }
        // Nothing before the first samples field is a sample: the labels the scan walked are not walked again.
        var samples = new SampleEnumerator(series[counts.FirstSampleAt..]);
        if (only is not null)
        {
            foreach (SampleValue sample in samples)
                SeriesStore.Append(only, sample.TimestampMs, sample.Value, nowMs, ref result);
            only.EndBatch();
            return;
        }
        foreach (SampleValue sample in samples)
            SeriesStore.Append(route, sample.TimestampMs, sample.Value, nowMs, ref result);
        SeriesStore.EndBatch(route);
    }

    private static string? InvalidHistogram(ReadOnlySpan<byte> series, int histogramsField, SeriesRoute route) =>
        HistogramCheck.FirstProblem(series, histogramsField) is { } problem
            ? $"invalid series {route.Series.FirstOrDefault()?.Labels.ToString() ?? "(not selected by any target)"}: {problem}"
            : null;
}
