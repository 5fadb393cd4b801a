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
        try
        {
            symbols = SymbolTable.Read(request);
            var reader = new RequestReader(request);
            while (reader.TryReadSeries(out SeriesView series))
            {
                ReadOnlySpan<byte> key;
                SeriesCounts counts;
                while (!series.TryScan(request, symbols, scratch, out key, out counts))
                    ScratchBuffer.Grow(ref scratch);
                SeriesRoute route = store.TryGetRoute(key, out SeriesRoute? cached) ? cached : AddRoute(request, symbols, series, key, store, ref result);
                SeriesIngest.Apply(route, series.Message, counts, SeriesView.HistogramsField, nowMs, ref result);
            }
        }
        catch (Sidecar.Protocol.MalformedInputException e)
        {
            result.Malformed = e.Message;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
            symbols?.Dispose();
        }
        return result;
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
