using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sidecar.Bench;
using Sidecar.Protocol.Prompb;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Bench;

/// <summary>
/// <c>bench remote-write</c> writes what a scraping Prometheus would send: a request's samples follow the
/// previous request's by a scrape interval with moving values, and a later run continues where the
/// report said the earlier one ended, so a receiver closes steps and never sees a sample out of order.
/// </summary>
public sealed class RemoteWriteLoadTests
{
    [Fact]
    public async Task EachRequestIsAScrapeIntervalAfterThePreviousAndARunContinuesWhereTheLastEnded()
    {
        var bodies = new ConcurrentQueue<WriteRequest>();
        await using var app = LoopbackApp.Create();
        app.MapPost("/api/v1/write", async (HttpRequest request) =>
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            bodies.Enqueue(WriteRequest.Parser.ParseFrom(Snappier.Snappy.DecompressToArray(buffer.ToArray())));
            return Results.NoContent();
        });
        await app.StartAsync();
        var url = new Uri(LoopbackApp.Address(app), "/api/v1/write");

        const long StartMs = 1_700_000_000_000;
        long firstEnd = await RunAndReadLastTimestamp(url, StartMs);
        var first = bodies.ToArray();
        bodies.Clear();
        long secondEnd = await RunAndReadLastTimestamp(url, firstEnd + RemoteWriteLoad.ScrapeIntervalMs);
        var second = bodies.ToArray();

        Assert.Equal(4, first.Length);
        Assert.Equal(4, second.Length);
        var series = first[0].Timeseries[0];
        Assert.Equal(new[] { StartMs, StartMs + 15_000 }, series.Samples.Select(s => s.Timestamp));
        for (int i = 1; i < first.Length; i++)
        {
            var previous = first[i - 1].Timeseries[0].Samples;
            var next = first[i].Timeseries[0].Samples;
            Assert.Equal(previous[^1].Timestamp + 15_000, next[0].Timestamp);
            Assert.True(next[0].Value > previous[^1].Value, "the values should move on from one request to the next, as a gauge scraped again does");
        }
        Assert.Equal(firstEnd, first[^1].Timeseries[0].Samples[^1].Timestamp);
        // The second run's first sample of the same series follows the first run's last.
        Assert.Equal(firstEnd + 15_000, second[0].Timeseries[0].Samples[0].Timestamp);
        Assert.Equal(secondEnd, second[^1].Timeseries[0].Samples[^1].Timestamp);
    }

    [Fact]
    public async Task ASenderThatStartsAfterTheDurationStillSendsOneRequest()
    {
        // On a busy machine a sender's task can start after a short run is over; it used to send nothing,
        // and the report then had no last timestamp for the next run to continue from.
        int received = 0;
        await using var app = LoopbackApp.Create();
        app.MapPost("/api/v1/write", () =>
        {
            Interlocked.Increment(ref received);
            return Results.NoContent();
        });
        await app.StartAsync();
        var report = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await RemoteWriteLoad.RunAsync(new Uri(LoopbackApp.Address(app), "/api/v1/write"), pid: null, concurrency: 2,
            TimeSpan.Zero, series: 3, samplesPerSeries: 1, v2: false, firstHost: 0, startMs: 1_700_000_000_000, report);
        Assert.Equal(0, exit);
        Assert.Equal(2, received);
        Assert.Contains("last_timestamp_ms=1700000000000", report.ToString(), StringComparison.Ordinal);
    }

    /// <summary>One sender, so the requests arrive in the order they were made; four requests, whatever the machine's speed.</summary>
    private static async Task<long> RunAndReadLastTimestamp(Uri url, long startMs)
    {
        var report = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await RemoteWriteLoad.RunAsync(url, pid: null, concurrency: 1, TimeSpan.FromMinutes(1), series: 3, samplesPerSeries: 2,
            v2: false, firstHost: 0, startMs, report, requestsPerSender: 4);
        Assert.Equal(0, exit);
        string line = report.ToString().Split('\n').Single(l => l.Contains("last_timestamp_ms=", StringComparison.Ordinal));
        return long.Parse(line[(line.IndexOf("last_timestamp_ms=", StringComparison.Ordinal) + "last_timestamp_ms=".Length)..].Trim(), CultureInfo.InvariantCulture);
    }
}
