using System.Net;
using System.Net.Http.Headers;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Ingest;

public sealed class RemoteWriteEndpointTests : IAsyncLifetime
{
    private const string Config = """
        limits:
          max_body_bytes: 4096
          max_decoded_bytes: 65536
        demo:
          mode: off
        targets:
          - name: t
            selector: 'up{job="a"}'
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    private RunningSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RunningSidecar.StartAsync(Config);

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    private static byte[] ValidBody(long ts = 1_700_000_000_000, string job = "a") =>
        WriteRequests.Snappy(WriteRequests.Encode(WriteRequests.Series("up", ("job", job)).With((ts, 1))));

    private async Task<HttpResponseMessage> PostAsync(byte[] body, string? encoding = "snappy", string? contentType = "application/x-protobuf")
    {
        var content = new ByteArrayContent(body);
        if (contentType is not null)
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (encoding is not null)
            content.Headers.ContentEncoding.Add(encoding);
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "0.1.0");
        return await _sidecar.Http.PostAsync("/api/v1/write", content);
    }

    private async Task AssertStillServesAsync()
    {
        var response = await PostAsync(ValidBody());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task ValidRequestIsStoredAndAnswered204()
    {
        var response = await PostAsync(ValidBody());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Contains("forecast_sidecar_series_tracked{target=\"t\"} 1", await WaitForAsync("series_tracked{target=\"t\"} 1"));
        Assert.Contains("forecast_sidecar_samples_received_total{source=\"remote_write\"} 1", await _sidecar.ScrapeAsync());
    }

    [Fact]
    public async Task UnselectedSeriesAreCountedAsDropped()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(ValidBody(job: "other"))).StatusCode);
        Assert.Contains("forecast_sidecar_samples_dropped_total{reason=\"unselected\"} 1", await _sidecar.ScrapeAsync());
    }

    [Fact]
    public async Task RandomBytesGet400()
    {
        var random = new Random(7);
        var bytes = new byte[1000];
        random.NextBytes(bytes);
        var response = await PostAsync(bytes);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("snappy", await response.Content.ReadAsStringAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task TruncatedSnappyGets400()
    {
        byte[] body = ValidBody();
        var response = await PostAsync(body[..(body.Length / 2)]);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task ValidSnappyAroundGarbageProtobufGets400()
    {
        // Field 1, length-delimited, claiming 100 bytes that aren't there.
        byte[] garbage = [0x0a, 0x64, 0x01, 0x02, 0x03];
        var response = await PostAsync(WriteRequests.Snappy(garbage));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("protobuf", await response.Content.ReadAsStringAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task GzipEncodingGets415()
    {
        var response = await PostAsync(ValidBody(), encoding: "gzip");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("image/png")]
    public async Task WrongContentTypeGets415(string contentType)
    {
        var response = await PostAsync(ValidBody(), contentType: contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task OversizedBodyGets413()
    {
        var response = await PostAsync(new byte[5000]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task OversizedChunkedBodyGets413()
    {
        // No Content-Length: the limit must hold while streaming.
        var content = new StreamContent(new MemoryStream(new byte[5000]));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/write") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var response = await _sidecar.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task DecompressionBombGets413()
    {
        // A snappy header that declares 1 GiB of output, in a body of a few bytes.
        byte[] bomb = [0x80, 0x80, 0x80, 0x80, 0x04, 0x00];
        var response = await PostAsync(bomb);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("decoded size", await response.Content.ReadAsStringAsync());
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task InvalidSeriesGets400NamingItWhileValidSeriesAreKept()
    {
        var noName = new Sidecar.Protocol.Prompb.TimeSeries();
        noName.Labels.Add(new Sidecar.Protocol.Prompb.Label { Name = "job", Value = "a" });
        noName.With((1_700_000_000_000, 1));
        var valid = WriteRequests.Series("up", ("job", "a")).With((1_700_000_000_000, 1));
        var response = await PostAsync(WriteRequests.Snappy(WriteRequests.Encode(noName, valid)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        string detail = problem.RootElement.GetProperty("detail").GetString()!;
        Assert.Contains("{job=\"a\"}", detail);
        Assert.Contains("no __name__", detail);
        Assert.Contains("forecast_sidecar_series_tracked{target=\"t\"} 1", await WaitForAsync("series_tracked{target=\"t\"} 1"));
    }

    [Fact]
    public async Task RequestsBeyondTheInflightLimitGet503WithRetryAfterAndTheHeldOneStillLands()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config.Replace("max_body_bytes: 4096", "max_body_bytes: 4096\n  max_inflight_requests: 1"));
        byte[] body = ValidBody();
        // The first request, on a raw socket, sends its headers and half its body, then waits: it holds the one slot.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(sidecar.Address.Host, sidecar.Address.Port);
        var stream = socket.GetStream();
        string head = $"POST /api/v1/write HTTP/1.1\r\nHost: {sidecar.Address.Authority}\r\nContent-Type: application/x-protobuf\r\n"
            + $"Content-Encoding: snappy\r\nContent-Length: {body.Length}\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
        await stream.FlushAsync();

        HttpResponseMessage? second = null;
        for (int i = 0; i < 50 && second?.StatusCode != HttpStatusCode.ServiceUnavailable; i++)
        {
            await Task.Delay(100);
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
            content.Headers.ContentEncoding.Add("snappy");
            second = await sidecar.Http.PostAsync("/api/v1/write", content);
        }
        Assert.Equal(HttpStatusCode.ServiceUnavailable, second!.StatusCode);
        Assert.Equal("1", second.Headers.GetValues("Retry-After").Single());

        await stream.WriteAsync(body.AsMemory(body.Length / 2));
        var response = new byte[512];
        int read = await stream.ReadAsync(response);
        Assert.StartsWith("HTTP/1.1 204", System.Text.Encoding.ASCII.GetString(response, 0, read));
    }

    private async Task<string> WaitForAsync(string fragment)
    {
        // The tracked-series gauge is refreshed by the inference loop, a few times a second.
        string text = "";
        for (int i = 0; i < 50 && !text.Contains(fragment, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            text = await _sidecar.ScrapeAsync();
        }
        return text;
    }
}
