using System.Buffers;
using System.Text;
using Sidecar.Protocol;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>Feeds a decoded remote-write 1.0 <c>WriteRequest</c> into the store.</summary>
internal static class RemoteWriteV1Decoder
{
    public static IngestResult Ingest(SeriesStore store, ReadOnlySpan<byte> writeRequest)
    {
        var result = new IngestResult();
        long nowMs = store.NowMs;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var reader = new WriteRequestReader(writeRequest);
            while (reader.TryRead(out TimeSeriesView series, out MetadataView metadata))
            {
                if (metadata.IsPresent)
                {
                    RecordMetadata(metadata, store, ref result);
                    continue;
                }
                SeriesRoute route = Resolve(series, store, ref scratch);
                string? invalid = route.InvalidReason ?? InvalidHistogram(series.Message, route);
                if (invalid is not null)
                {
                    result.InvalidSeries++;
                    result.FirstInvalid ??= invalid;
                    foreach (var _ in series.Samples)
                        result.InvalidSamples++;
                    continue;
                }
                // Accepted, not modelled: counted for self-metrics.
                result.Histograms += series.Count(TimeSeriesView.HistogramsField);
                result.Exemplars += series.Count(TimeSeriesView.ExemplarsField);
                foreach (SampleValue sample in series.Samples)
                    SeriesStore.Append(route, sample.TimestampMs, sample.Value, nowMs, ref result);
            }
        }
        catch (Sidecar.Protocol.MalformedInputException e)
        {
            result.Malformed = e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return result;
    }

    private static string? InvalidHistogram(ReadOnlySpan<byte> series, SeriesRoute route)
    {
        foreach (ReadOnlySpan<byte> histogram in new RepeatedMessageEnumerator(series, TimeSeriesView.HistogramsField, "TimeSeries.histograms"))
        {
            string? problem = HistogramCheck.Validate(histogram);
            if (problem is not null)
                return $"invalid series {route.Series.FirstOrDefault()?.Labels.ToString() ?? "(unselected)"}: {problem}";
        }
        return null;
    }

    private static SeriesRoute Resolve(TimeSeriesView series, SeriesStore store, ref byte[] scratch)
    {
        int length;
        while ((length = series.CopyLabelKey(scratch)) < 0)
        {
            int larger = scratch.Length * 2;
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(larger);
        }
        ReadOnlySpan<byte> key = scratch.AsSpan(0, length);
        if (store.TryGetRoute(key, out SeriesRoute? route))
            return route;
        var labels = new List<KeyValuePair<string, string>>();
        foreach (LabelView label in series.Labels)
            labels.Add(new(Encoding.UTF8.GetString(label.Name), Encoding.UTF8.GetString(label.Value)));
        return store.AddRoute(key, labels);
    }

    private static void RecordMetadata(MetadataView metadata, SeriesStore store, ref IngestResult result)
    {
        // Prometheus sends metadata about once a minute, apart from samples: decoding strings here is cheap.
        var type = Enum.IsDefined((MetricType)metadata.Type) ? (MetricType)metadata.Type : MetricType.Unknown;
        if (store.Metadata.Record(Encoding.UTF8.GetString(metadata.FamilyName), type,
                Encoding.UTF8.GetString(metadata.Help), Encoding.UTF8.GetString(metadata.Unit)))
            result.Metadata++;
    }
}
