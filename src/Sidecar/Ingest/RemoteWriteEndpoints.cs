using System.Buffers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Protocol;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>
/// <c>POST /api/v1/write</c>, remote-write 1.0 and 2.0, told apart by the Content-Type's <c>proto</c>
/// parameter. Status codes follow retry semantics: 204 stored; 400 and
/// 413 mean "never send this again" (Prometheus drops the batch); 415 a format we don't speak; 5xx only
/// for our own faults, which Prometheus retries.
/// </summary>
internal static class RemoteWriteEndpoints
{
    public const string Path = "/api/v1/write";
    public const string SamplesWrittenHeader = "X-Prometheus-Remote-Write-Samples-Written";
    public const string HistogramsWrittenHeader = "X-Prometheus-Remote-Write-Histograms-Written";
    public const string ExemplarsWrittenHeader = "X-Prometheus-Remote-Write-Exemplars-Written";
    private const string V1Proto = "prometheus.WriteRequest";
    private const string V2Proto = "io.prometheus.write.v2.Request";

    private enum Version
    {
        V1,
        V2,
    }

    public static IEndpointRouteBuilder MapRemoteWrite(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync);
        return app;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> HandleAsync(
        HttpContext context, SeriesStore store, SettingsHolder settingsHolder, Readiness readiness, SelfMetrics metrics, DemoSwitch demo, WriteGate gate, CancellationToken cancellation)
    {
        SidecarSettings settings = settingsHolder.Current;
        if (readiness.NotReadyReason is { } notReady)
        {
            // Before the restore a write could be overwritten by it; after shutdown began it would miss
            // the final snapshot. Prometheus keeps the batch and retries, so nothing is lost.
            metrics.RemoteWriteRequests.WithLabels("unknown", "503").Inc();
            context.Response.Headers.RetryAfter = readiness.ShuttingDown ? "5" : "1";
            context.Response.Headers.Connection = "close";
            return TypedResults.Problem($"remote-write: not accepting writes while {notReady}; retry shortly",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "remote-write unavailable");
        }
        if (!gate.TryEnter())
        {
            metrics.RemoteWriteRequests.WithLabels("unknown", "503").Inc();
            context.Response.Headers.RetryAfter = "1";
            // The body goes unread: closing the connection beats draining it, and keeps the client from
            // reusing a connection the server is about to drop.
            context.Response.Headers.Connection = "close";
            return TypedResults.Problem($"remote-write: {settings.Limits.MaxInflightRequests} requests already in flight (limits.max_inflight_requests); retry shortly",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "remote-write overloaded");
        }
        // Kestrel's limit was set from the config at start; a reload may have changed limits.max_body_bytes since.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = settings.Limits.MaxBodyBytes;
        Outcome result;
        try
        {
            result = await IngestAsync(context.Request, store, settings.Limits, cancellation);
        }
        finally
        {
            gate.Exit();
        }
        if (result.Version == Version.V2)
        {
            // Exact counts let a 2.0 sender tell a partial write from a full one.
            var headers = context.Response.Headers;
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            headers[SamplesWrittenHeader] = result.Ingest.SamplesWritten.ToString(invariant);
            headers[HistogramsWrittenHeader] = result.Ingest.Histograms.ToString(invariant);
            headers[ExemplarsWrittenHeader] = result.Ingest.Exemplars.ToString(invariant);
        }
        if (result.Status is StatusCodes.Status413PayloadTooLarge or StatusCodes.Status408RequestTimeout)
            context.Response.Headers.Connection = "close"; // the rest of the body is never read
        metrics.RemoteWriteRequests.WithLabels(result.Version == Version.V2 ? "2.0" : "1.0",
            result.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc();
        var ingest = result.Ingest;
        metrics.SamplesReceived.WithLabels("remote_write").Inc(ingest.SamplesAccepted);
        metrics.SamplesDropped.WithLabels(SelfMetrics.DropReason.Unselected).Inc(ingest.SamplesUnselected);
        metrics.SamplesDropped.WithLabels(SelfMetrics.DropReason.NonFinite).Inc(ingest.SamplesNonFinite);
        metrics.SamplesDropped.WithLabels(SelfMetrics.DropReason.SeriesLimit).Inc(ingest.SamplesOverLimit);
        metrics.SamplesDropped.WithLabels(SelfMetrics.DropReason.InvalidSeries).Inc(ingest.InvalidSamples);
        metrics.StaleMarkers.Inc(ingest.StaleMarkers);
        metrics.NotModelled.WithLabels("histogram").Inc(ingest.Histograms);
        metrics.NotModelled.WithLabels("exemplar").Inc(ingest.Exemplars);
        metrics.NotModelled.WithLabels("metadata").Inc(ingest.Metadata);
        if (result.Status == StatusCodes.Status204NoContent)
        {
            demo.RealDataArrived();
            return TypedResults.NoContent();
        }
        return TypedResults.Problem(result.Detail, statusCode: result.Status, title: "remote-write request rejected");
    }

    private readonly record struct Outcome(int Status, string? Detail, IngestResult Ingest, Version Version = Version.V1);

    private static async Task<Outcome> IngestAsync(HttpRequest request, SeriesStore store, LimitSettings limits, CancellationToken cancellation)
    {
        string? mediaTypeError = Negotiate(request.ContentType, out Version version);
        if (mediaTypeError is not null)
            return new(StatusCodes.Status415UnsupportedMediaType, mediaTypeError, default);
        string? encoding = request.Headers.ContentEncoding;
        if (!string.IsNullOrEmpty(encoding) && !encoding.Equals("snappy", StringComparison.OrdinalIgnoreCase))
            return new(StatusCodes.Status415UnsupportedMediaType, $"remote-write: Content-Encoding '{encoding}' is not supported; use snappy", default, version);
        if (request.ContentLength > limits.MaxBodyBytes)
            return TooLarge(request.ContentLength.Value, limits.MaxBodyBytes, version);

        // Kestrel's minimum data rate stops a trickle; this stops a body that is merely too long in coming,
        // so a stalled sender can't hold one of the few in-flight slots for ever.
        using var bodyTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        bodyTimeout.CancelAfter(limits.Connections.WriteBodyTimeout);
        byte[] body = ArrayPool<byte>.Shared.Rent(Math.Min(limits.MaxBodyBytes, (int)(request.ContentLength ?? 64 * 1024)) + 1);
        byte[]? decoded = null;
        try
        {
            int length = 0;
            while (true)
            {
                if (length == body.Length)
                {
                    // One byte past the limit is enough to tell that a body is too large.
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(body.Length * 2L, limits.MaxBodyBytes + 1L));
                    body.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(body);
                    body = larger;
                }
                int read = await request.Body.ReadAsync(body.AsMemory(length), bodyTimeout.Token);
                if (read == 0)
                    break;
                length += read;
                if (length > limits.MaxBodyBytes)
                    return TooLarge(length, limits.MaxBodyBytes, version);
            }
            decoded = SnappyBlock.DecompressRented(body.AsSpan(0, length), limits.MaxDecodedBytes, out int decodedLength);
            ReadOnlySpan<byte> payload = decoded.AsSpan(0, decodedLength);
            IngestResult ingest;
            // A reload waits for this to finish before it swaps targets, so no sample lands in a discarded one.
            using (store.EnterIngest())
                ingest = version == Version.V2 ? RemoteWriteV2Decoder.Ingest(store, payload) : RemoteWriteV1Decoder.Ingest(store, payload);
            if (ingest.Malformed is not null)
                return new(StatusCodes.Status400BadRequest, "remote-write: " + ingest.Malformed, ingest, version);
            if (ingest.InvalidSeries > 0)
                return new(StatusCodes.Status400BadRequest, $"remote-write: {ingest.FirstInvalid} ({ingest.InvalidSeries} invalid series in this request; the valid ones were stored)", ingest, version);
            return new(StatusCodes.Status204NoContent, null, ingest, version);
        }
        catch (MalformedInputException e)
        {
            return new(StatusCodes.Status400BadRequest, "remote-write: " + e.Message, default, version);
        }
        catch (PayloadTooLargeException e)
        {
            return new(StatusCodes.Status413PayloadTooLarge, "remote-write: " + e.Message, default, version);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits.MaxBodyBytes + 1L, limits.MaxBodyBytes, version);
        }
        catch (OperationCanceledException) when (bodyTimeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return BodyTimedOut(limits, version);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status408RequestTimeout)
        {
            return BodyTimedOut(limits, version); // under limits.min_body_bytes_per_second
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body);
            if (decoded is not null)
                ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    private static Outcome BodyTimedOut(LimitSettings limits, Version version) =>
        new(StatusCodes.Status408RequestTimeout, $"remote-write: body not received within limits.write_body_timeout ({Host.PromDuration.Format(limits.Connections.WriteBodyTimeout)}) "
            + $"or slower than limits.min_body_bytes_per_second ({limits.Connections.MinBodyBytesPerSecond})", default, version);

    private static Outcome TooLarge(long size, int limit, Version version) =>
        new(StatusCodes.Status413PayloadTooLarge, $"remote-write: body of {size} bytes or more exceeds limit {limit} bytes", default, version);

    /// <summary>
    /// Picks the protocol from the Content-Type; returns why it is unsupported, or null. An absent type or
    /// a plain <c>application/x-protobuf</c> is 1.0, as the 2.0 spec asks for backward compatibility.
    /// </summary>
    private static string? Negotiate(string? contentType, out Version version)
    {
        version = Version.V1;
        if (string.IsNullOrEmpty(contentType))
            return null;
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || !mediaType.MediaType.Equals("application/x-protobuf", StringComparison.OrdinalIgnoreCase))
            return $"remote-write: Content-Type '{contentType}' is not supported; use application/x-protobuf";
        string proto = "";
        foreach (var parameter in mediaType.Parameters)
        {
            if (parameter.Name.Equals("proto", StringComparison.OrdinalIgnoreCase))
                proto = parameter.Value.ToString();
        }
        if (proto.Length == 0 || proto == V1Proto)
            return null;
        if (proto == V2Proto)
        {
            version = Version.V2;
            return null;
        }
        return $"remote-write: proto '{proto}' is not supported; use {V1Proto} (1.0) or {V2Proto} (2.0)";
    }
}
