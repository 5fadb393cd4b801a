using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>Clients that never finish a request, over raw sockets: they are cut off, and hold nothing afterwards.</summary>
public sealed class SlowClientTests
{
    private const string Targets = """
        demo:
          mode: off
        targets:
          - name: t
            selector: 'up'
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    [Fact]
    public async Task ABodyThatNeverEndsTimesOutWith408AndFreesItsInFlightSlot()
    {
        // One in-flight slot: if the stalled request kept it, the normal write afterwards would get 503.
        await using var sidecar = await RunningSidecar.StartAsync(Targets + """

            limits:
              max_inflight_requests: 1
              write_body_timeout: 1s
              min_body_bytes_per_second: 0
            """);
        using var socket = await ConnectAsync(sidecar.Address);
        var clock = Stopwatch.StartNew();
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\nContent-Encoding: snappy\r\nContent-Length: 100000\r\n\r\nabc"));

        string response = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));
        clock.Stop();
        Assert.StartsWith("HTTP/1.1 408", response);
        Assert.Contains("limits.write_body_timeout (1s)", response);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));

        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address))).StatusCode);
        Assert.Contains("forecast_sidecar_remote_write_requests_total{protocol=\"1.0\",code=\"408\"} 1", await sidecar.ScrapeAsync());
    }

    [Fact]
    public async Task ATrickledBodyIsCutOffByTheMinimumDataRate()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Targets + """

            limits:
              max_inflight_requests: 1
              min_body_bytes_per_second: 1000
            """);
        using var socket = await ConnectAsync(sidecar.Address);
        var clock = Stopwatch.StartNew();
        await socket.SendAsync(Encoding.ASCII.GetBytes(
            "POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\n"));
        // A byte a second: far below 1000 bytes/s once Kestrel's 5 s grace is over, and well inside write_body_timeout (1m).
        using var trickle = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            while (!trickle.IsCancellationRequested)
            {
                try
                {
                    await socket.SendAsync(new byte[] { 0 }, trickle.Token);
                    await Task.Delay(1000, trickle.Token);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException)
                {
                    return;
                }
            }
        });
        await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(20));
        clock.Stop();
        trickle.Cancel();
        await sending;
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(15));
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address))).StatusCode);
    }

    [Fact]
    public async Task HeadersThatNeverEndTimeOutAndOversizedHeadersAreRefused()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Targets + """

            limits:
              header_read_timeout: 1s
              max_header_bytes: 4096
              max_headers: 20
            """);
        using (var socket = await ConnectAsync(sidecar.Address))
        {
            var clock = Stopwatch.StartNew();
            await socket.SendAsync(Encoding.ASCII.GetBytes("GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Slow: "));
            string response = await ReadUntilClosedAsync(socket, TimeSpan.FromSeconds(10));
            clock.Stop();
            Assert.True(response.Length == 0 || response.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), response);
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        }
        using var http = new HttpClient { BaseAddress = sidecar.Address };
        using var big = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "X-Big", new string('a', 5000) } } };
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await http.SendAsync(big)).StatusCode);
        using var many = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        for (int i = 0; i < 25; i++)
            many.Headers.Add("X-H" + i, "v");
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await http.SendAsync(many)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);
    }

    private static async Task<Socket> ConnectAsync(Uri address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        return socket;
    }

    /// <summary>Everything the server sends until it closes the connection; fails if it is still open after <paramref name="limit"/>.</summary>
    private static async Task<string> ReadUntilClosedAsync(Socket socket, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        var received = new StringBuilder();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (SocketException)
        {
            // A reset is as good as a close: the server let go.
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the server still held the connection after {limit}; received so far: {received}");
        }
        return received.ToString();
    }
}
