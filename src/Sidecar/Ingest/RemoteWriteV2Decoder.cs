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
                SeriesRoute route = Resolve(request, symbols, series, store, ref scratch, ref result);
                string? invalid = route.InvalidReason ?? InvalidHistogram(series.Message, route);
                if (invalid is not null)
                {
                    result.InvalidSeries++;
                    result.FirstInvalid ??= invalid;
                    foreach (var _ in series.Samples)
                        result.InvalidSamples++;
                    continue;
                }
                // Accepted, not modelled: counted so the written headers are exact.
                result.Histograms += series.Count(SeriesView.HistogramsField);
                result.Exemplars += series.Count(SeriesView.ExemplarsField);
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
            symbols?.Dispose();
        }
        return result;
    }

    private static string? InvalidHistogram(ReadOnlySpan<byte> series, SeriesRoute route)
    {
        foreach (ReadOnlySpan<byte> histogram in new RepeatedMessageEnumerator(series, SeriesView.HistogramsField, "TimeSeries.histograms"))
        {
            string? problem = HistogramCheck.Validate(histogram);
            if (problem is not null)
                return $"invalid series {route.Series.FirstOrDefault()?.Labels.ToString() ?? "(unselected)"}: {problem}";
        }
        return null;
    }

    private static SeriesRoute Resolve(ReadOnlySpan<byte> request, SymbolTable symbols, SeriesView series, SeriesStore store,
        ref byte[] scratch, ref IngestResult result)
    {
        int length;
        while ((length = series.CopyLabelKey(request, symbols, scratch)) < 0)
        {
            int larger = scratch.Length * 2;
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(larger);
        }
        ReadOnlySpan<byte> key = scratch.AsSpan(0, length);
        if (store.TryGetRoute(key, out SeriesRoute? route))
            return route;

        // First sight of this label set: decode its strings, and its metadata with it.
        var labels = new List<KeyValuePair<string, string>>();
        foreach (var (name, value) in series.LabelRefs)
            labels.Add(new(Decode(request, symbols, name), Decode(request, symbols, value)));
        route = store.AddRoute(key, labels);
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
