using System.Buffers;
using System.Text;
using Sidecar.Protocol;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Protocol.RemoteWrite.V2;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>Feeds a decoded remote-write 2.0 <c>Request</c> into the store.</summary>
internal static class RemoteWriteV2Decoder
{
    public static IngestResult Ingest(SeriesStore store, ReadOnlySpan<byte> request)
    {
        var result = new IngestResult();
        long nowMs = store.NowMs;
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        SymbolTable? symbols = null;
        var batch = RouteBatch.ForThisThread();
        try
        {
            symbols = SymbolTable.Read(request);
            var misses = new Misses(request, symbols, store);
            try
            {
                var reader = new RequestReader(request);
                while (reader.TryReadSeries(out SeriesView series))
                {
                    ReadOnlySpan<byte> key;
                    SeriesCounts counts;
                    while (!series.TryScan(request, symbols, scratch, out key, out counts))
                        ScratchBuffer.Grow(ref scratch);
                    request.Overlaps(series.Message, out int start);
                    batch.Add(start, series.Message.Length, counts, RouteTable.Fingerprint(key));
                    if (batch.IsFull)
                        batch.Store(store, request, SeriesView.HistogramsField, ref misses, ref scratch, nowMs, ref result);
                }
            }
            finally
            {
                // What was scanned before a malformed part is stored, as it would have been series by series.
                batch.Store(store, request, SeriesView.HistogramsField, ref misses, ref scratch, nowMs, ref result);
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
            symbols?.Dispose();
        }
        return result;
    }

    /// <summary>
    /// A 2.0 series refers to the request's symbols: a new label set's route is made from them, and the
    /// metadata the series carries is recorded with it, once per new label set.
    /// </summary>
    private readonly ref struct Misses(ReadOnlySpan<byte> request, SymbolTable symbols, SeriesStore store) : IRouteMisses
    {
        private readonly ReadOnlySpan<byte> _request = request;

        public SeriesRoute AddRoute(ReadOnlySpan<byte> message, ref byte[] scratch, ref IngestResult result)
        {
            var series = new SeriesView(message);
            ReadOnlySpan<byte> key;
            while (!series.TryScan(_request, symbols, scratch, out key, out _))
                ScratchBuffer.Grow(ref scratch);
            return RemoteWriteV2Decoder.AddRoute(_request, symbols, series, key, store, ref result);
        }
    }

    private static SeriesRoute AddRoute(ReadOnlySpan<byte> request, SymbolTable symbols, SeriesView series, ReadOnlySpan<byte> key,
        SeriesStore store, ref IngestResult result)
    {
        // First sight of this label set: decode its strings, and its metadata with it.
        var labels = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in series.LabelRefs)
            labels.Add(new(Decode(request, symbols, name), Decode(request, symbols, value)));
        SeriesRoute route = store.AddRoute(key, labels);
        var (type, help, unit) = series.Metadata();
        string family = labels.FirstOrDefault(l => l.Key == LabelSet.MetricNameLabel).Value ?? "";
        if (route.InvalidReason is null && type != 0
            && store.Metadata.Record(family, Enum.IsDefined((MetricType)type) ? (MetricType)type : MetricType.Unknown,
                Decode(request, symbols, help), Decode(request, symbols, unit)))
            result.Metadata++;
        return route;
    }

    private static string Decode(ReadOnlySpan<byte> request, SymbolTable symbols, uint reference) =>
        Encoding.UTF8.GetString(symbols.Get(request, reference, "symbol reference"));
}
