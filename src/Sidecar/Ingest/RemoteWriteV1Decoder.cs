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
        var batch = RouteBatch.ForThisThread();
        try
        {
            var reader = new WriteRequestReader(writeRequest);
            try
            {
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
                    writeRequest.Overlaps(series.Message, out int start);
                    batch.Add(start, series.Message.Length, counts, RouteTable.Fingerprint(key));
                    if (batch.IsFull)
                        Store(store, writeRequest, batch, ref scratch, nowMs, ref result);
                }
            }
            finally
            {
                // What was scanned before a malformed part is stored, as it would have been series by series.
                Store(store, writeRequest, batch, ref scratch, nowMs, ref result);
            }
        }
        catch (Sidecar.Protocol.MalformedInputException e)
        {
            result.Malformed = e.Message;
        }
        finally
        {
            batch.Clear();
            ArrayPool<byte>.Shared.Return(scratch);
        }
        return result;
    }

    private static void Store(SeriesStore store, ReadOnlySpan<byte> writeRequest, RouteBatch batch, ref byte[] scratch, long nowMs, ref IngestResult result)
    {
        var misses = new Misses(store);
        batch.Store(store, writeRequest, TimeSeriesView.HistogramsField, ref misses, ref scratch, nowMs, ref result);
    }

    /// <summary>A 1.0 series carries its label strings: a new label set's route is made from them.</summary>
    private readonly struct Misses(SeriesStore store) : IRouteMisses
    {
        public SeriesRoute AddRoute(ReadOnlySpan<byte> message, ref byte[] scratch, ref IngestResult result)
        {
            var series = new TimeSeriesView(message);
            ReadOnlySpan<byte> key;
            while (!series.TryScan(scratch, out key, out _))
                ScratchBuffer.Grow(ref scratch);
            var labels = new List<KeyValuePair<string, string>>();
            foreach (LabelView label in series.Labels)
                labels.Add(new(Encoding.UTF8.GetString(label.Name), Encoding.UTF8.GetString(label.Value)));
            return store.AddRoute(key, labels);
        }
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
