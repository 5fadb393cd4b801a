using System.Buffers;
using System.Net.Http.Headers;
using Google.Protobuf;
using Sidecar.Host;
using Sidecar.Protocol;
using Sidecar.Protocol.Chunks;
using Sidecar.Protocol.Prompb;
using Sidecar.Protocol.RemoteRead;
using Sidecar.Protocol.RemoteWrite;
using Snappier;
using MatchType = Sidecar.Store.MatchType;

namespace Sidecar.Ingest.RemoteRead;

/// <summary>
/// Reads history from Prometheus' <c>/api/v1/read</c>. It asks for streamed XOR chunks first and reads
/// them frame by frame, so memory stays bounded by one frame; a server that doesn't stream answers with
/// snappy-compressed samples, which are read under a size limit. Retries and backoff come from the
/// resilience handler of the injected <see cref="HttpClient"/>.
/// </summary>
internal sealed class RemoteReadClient(HttpClient http, Func<PrometheusSettings> currentSettings)
{
    public RemoteReadClient(HttpClient http, PrometheusSettings settings)
        : this(http, () => settings)
    {
    }

    // Read per request, so a reload's Prometheus settings apply from the next request on.
    private PrometheusSettings Settings => currentSettings();

    /// <summary>Ask for streamed chunks (preferred) or only for samples; the latter exists for tests of the fallback.</summary>
    internal bool AcceptStreamedChunks { get; init; } = true;

    public const string HttpClientName = "prometheus";
    private const string StreamedContentType = "application/x-streamed-protobuf";

    /// <summary>One series' samples from one response frame, oldest first. Valid only during the callback.</summary>
    public delegate void SeriesCallback(List<KeyValuePair<string, string>> labels, ReadOnlySpan<SampleValue> samples);

    /// <returns>Samples read.</returns>
    public async Task<long> ReadAsync(IReadOnlyList<Store.LabelMatcher> matchers, long startMs, long endMs, SeriesCallback onSeries, CancellationToken cancellation)
    {
        var query = new Query { StartTimestampMs = startMs, EndTimestampMs = endMs };
        foreach (var matcher in matchers)
            query.Matchers.Add(new Protocol.Prompb.LabelMatcher { Name = matcher.Name, Value = matcher.Value, Type = ToWire(matcher.Type) });
        var request = new ReadRequest { Queries = { query } };
        if (AcceptStreamedChunks)
            request.AcceptedResponseTypes.Add(ReadRequest.Types.ResponseType.StreamedXorChunks);
        request.AcceptedResponseTypes.Add(ReadRequest.Types.ResponseType.Samples);
        using var message = new HttpRequestMessage(HttpMethod.Post, Settings.RemoteReadUrl)
        {
            Content = new ByteArrayContent(Snappy.CompressToArray(request.ToByteArray())),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        message.Content.Headers.ContentEncoding.Add("snappy");
        message.Headers.Add("X-Prometheus-Remote-Read-Version", "0.1.0");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(Settings.Timeout);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            string body = await response.Content.ReadAsStringAsync(timeout.Token);
            throw new HttpRequestException($"remote-read: {Settings.RemoteReadUrl} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        string mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.Equals(StreamedContentType, StringComparison.OrdinalIgnoreCase))
            return await ReadStreamedAsync(stream, onSeries, timeout.Token);
        return await ReadSamplesAsync(stream, onSeries, timeout.Token);
    }

    private async Task<long> ReadStreamedAsync(Stream stream, SeriesCallback onSeries, CancellationToken cancellation)
    {
        long total = 0;
        var buffered = new BufferedStream(stream, 64 * 1024);
        using var frames = new ChunkedFrameReader(buffered, Settings.MaxFrameBytes);
        var samples = new List<SampleValue>();
        var labels = new List<KeyValuePair<string, string>>();
        while (await frames.ReadFrameAsync(cancellation) is { } frame)
        {
            ChunkedReadResponse response;
            try
            {
                response = ChunkedReadResponse.Parser.ParseFrom(frame.Span);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new MalformedInputException("remote-read: invalid ChunkedReadResponse: " + e.Message);
            }
            foreach (var series in response.ChunkedSeries)
            {
                labels.Clear();
                samples.Clear();
                foreach (var label in series.Labels)
                    labels.Add(new(label.Name, label.Value));
                foreach (var chunk in series.Chunks)
                {
                    // Native histogram chunks are not modelled.
                    if (chunk.Type != Chunk.Types.Encoding.Xor)
                        continue;
                    DecodeXor(chunk.Data.Span, samples);
                }
                onSeries(labels, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
                total += samples.Count;
            }
        }
        return total;
    }

    private static void DecodeXor(ReadOnlySpan<byte> chunk, List<SampleValue> samples)
    {
        var iterator = new XorChunkIterator(chunk);
        while (iterator.MoveNext())
            samples.Add(new SampleValue(iterator.Timestamp, iterator.Value));
    }

    private async Task<long> ReadSamplesAsync(Stream stream, SeriesCallback onSeries, CancellationToken cancellation)
    {
        // A server that doesn't stream sends the whole result at once: bound it like a frame.
        var body = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellation)) > 0)
            {
                if (body.Length + read > Settings.MaxFrameBytes)
                    throw new PayloadTooLargeException($"remote-read: sampled response exceeds limit {Settings.MaxFrameBytes} bytes");
                body.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        byte[] decoded = SnappyBlock.DecompressRented(body.GetBuffer().AsSpan(0, (int)body.Length), Settings.MaxFrameBytes, out int length);
        try
        {
            ReadResponse response;
            try
            {
                response = ReadResponse.Parser.ParseFrom(decoded.AsSpan(0, length));
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new MalformedInputException("remote-read: invalid ReadResponse: " + e.Message);
            }
            long total = 0;
            var labels = new List<KeyValuePair<string, string>>();
            var samples = new List<SampleValue>();
            foreach (var result in response.Results)
            {
                foreach (var series in result.Timeseries)
                {
                    labels.Clear();
                    samples.Clear();
                    foreach (var label in series.Labels)
                        labels.Add(new(label.Name, label.Value));
                    foreach (var sample in series.Samples)
                        samples.Add(new SampleValue(sample.Timestamp, sample.Value));
                    onSeries(labels, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(samples));
                    total += samples.Count;
                }
            }
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    private static Protocol.Prompb.LabelMatcher.Types.Type ToWire(MatchType type) => type switch
    {
        MatchType.Equal => Protocol.Prompb.LabelMatcher.Types.Type.Eq,
        MatchType.NotEqual => Protocol.Prompb.LabelMatcher.Types.Type.Neq,
        MatchType.Regex => Protocol.Prompb.LabelMatcher.Types.Type.Re,
        _ => Protocol.Prompb.LabelMatcher.Types.Type.Nre,
    };
}
