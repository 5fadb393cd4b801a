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

    // Routes and stores a batch's series in the order they came: the slots of all of them are loaded, then
    // the routes of those seen before are looked up and their series loaded, then each series is stored.
    // A new label set (a miss) gets its route only when its turn comes, as series by series, so a request
    // that turns out malformed creates no series after the malformed one; it is scanned again for its
    // key, since the scratch an interleaved key was copied into has been reused. The batch is emptied
    // first, so that when a series' samples turn out malformed, the store that Ingest's finally makes
    // doesn't apply this batch's earlier series a second time.
    private static void Store(SeriesStore store, ReadOnlySpan<byte> writeRequest, RouteBatch batch, ref byte[] scratch, long nowMs, ref IngestResult result)
    {
        int count = batch.Count;
        batch.Clear();
        try
        {
            batch.TouchSlots(store, count);
            for (int i = 0; i < count; i++)
            {
                if (store.TryGetRoute(batch.Fingerprint(i), out SeriesRoute? cached))
                    batch.Resolve(i, cached);
            }
            for (int i = 0; i < count; i++)
            {
                var series = new TimeSeriesView(batch.Message(writeRequest, i));
                SeriesRoute? route = batch.Route(i);
                // An earlier series of this batch may have been the same label set's first.
                if (route is null && !store.TryGetRoute(batch.Fingerprint(i), out route))
                {
                    ReadOnlySpan<byte> key;
                    while (!series.TryScan(scratch, out key, out _))
                        ScratchBuffer.Grow(ref scratch);
                    route = AddRoute(series, key, store);
                }
                SeriesIngest.Apply(route, series.Message, batch.Counts(i), TimeSeriesView.HistogramsField, nowMs, ref result);
            }
        }
        finally
        {
            batch.Clear(resolved: count);
        }
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
