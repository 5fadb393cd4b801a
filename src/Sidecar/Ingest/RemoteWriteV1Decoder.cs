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
                ReadOnlySpan<byte> key;
                SeriesCounts counts;
                while (!series.TryScan(scratch, out key, out counts))
                    ScratchBuffer.Grow(ref scratch);
                SeriesRoute route = store.TryGetRoute(key, out SeriesRoute? cached) ? cached : AddRoute(series, key, store);
                SeriesIngest.Apply(route, series.Message, counts, TimeSeriesView.HistogramsField, nowMs, ref result);
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

    private static SeriesRoute AddRoute(TimeSeriesView series, ReadOnlySpan<byte> key, SeriesStore store)
    {
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
