using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench remote-write</c>: posts node_exporter-shaped remote-write requests to a receiver for a fixed
/// time and reports samples accepted per second and, given the receiver's pid, per CPU-second the
/// receiver spent. Each worker writes its own hosts as a scrape every 15 s would: each request's samples
/// follow the previous request's by a scrape interval, with values that move from one to the next, so a
/// TSDB receiver (Prometheus with --web.enable-remote-write-receiver) does real appends and the sidecar
/// closes a 1m step every fourth request, as in production. Loopback only: it refuses any other address.
/// </summary>
internal static class RemoteWriteLoad
{
    /// <param name="url">The receiver; on this machine (<see cref="LoopbackUrl"/>).</param>
    /// <param name="pid">The receiver's process, whose CPU time the samples are divided by; null for none.</param>
    /// <param name="series">Series per request, each worker writing hosts of its own.</param>
    /// <param name="firstHost">The first worker's first host; the others follow it.</param>
    /// <param name="startMs">The first request's first sample (Unix ms); null for a day ago. A run that writes the
    /// same hosts as an earlier one starts after that run's <c>last_timestamp_ms</c>, or its samples are out of order.</param>
    /// <param name="output">Where the report goes; null for the console.</param>
    /// <param name="requestsPerSender">Each sender stops after this many requests, or at the end of
    /// <paramref name="duration"/> if that comes first; null for no count. For tests that need a number of
    /// requests, which a duration gives only on an idle machine.</param>
    public static async Task<int> RunAsync(Uri url, int? pid, int concurrency, TimeSpan duration, int series, int samplesPerSeries, bool v2,
        int firstHost = 0, long? startMs = null, TextWriter? output = null, int? requestsPerSender = null)
    {
        output ??= Console.Out;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        long accepted = 0, requests = 0, failures = 0, lastTimestampMs = long.MinValue;
        // A day back: a 20 s run on this kind of machine writes a few hours of scrapes, which stay in the past.
        long start = startMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 86_400_000;
        double cpuBefore = pid is null ? 0 : CpuSeconds(pid.Value);
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            int workerHost = firstHost + worker * (series / 100 + 1);
            // Every sender makes at least one request: on a busy machine a worker can start after the
            // duration is over, and a run that sent nothing has no last timestamp to continue from.
            for (long round = 0; round < (requestsPerSender ?? long.MaxValue) && (round == 0 || !stop.IsCancellationRequested); round++)
            {
                long ts = RequestStartMs(start, round, samplesPerSeries);
                byte[] raw = v2
                    ? NodeExporterPayload.V2(series, samplesPerSeries, ts, workerHost, (int)round)
                    : NodeExporterPayload.V1(series, samplesPerSeries, ts, workerHost, (int)round);
                var content = new ByteArrayContent(Snappier.Snappy.CompressToArray(raw));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse(v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request" : "application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                content.Headers.Add("X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0");
                try
                {
                    using var response = await http.PostAsync(url, content);
                    Interlocked.Increment(ref requests);
                    if (response.IsSuccessStatusCode)
                    {
                        Interlocked.Add(ref accepted, (long)series * samplesPerSeries);
                        InterlockedMax(ref lastTimestampMs, ts + (samplesPerSeries - 1) * ScrapeIntervalMs);
                    }
                    else
                        Interlocked.Increment(ref failures);
                }
                catch (HttpRequestException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        double seconds = clock.Elapsed.TotalSeconds;
        var invariant = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(invariant, $"url={url} protocol={(v2 ? "2.0" : "1.0")} shape={series}x{samplesPerSeries} concurrency={concurrency} seconds={seconds:F1}"));
        output.WriteLine(string.Create(invariant, $"requests={requests} failed={failures} samples_accepted={accepted} samples_per_second={accepted / seconds:F0} last_timestamp_ms={lastTimestampMs}"));
        if (pid is not null)
        {
            double cpu = CpuSeconds(pid.Value) - cpuBefore;
            output.WriteLine(string.Create(invariant, $"receiver_cpu_seconds={cpu:F2} samples_per_cpu_second={accepted / Math.Max(cpu, 1e-9):F0}"));
        }
        return failures > 0 && accepted == 0 ? 1 : 0;
    }

    /// <summary>The spacing of one series' samples, as <see cref="NodeExporterPayload"/> writes them within a request.</summary>
    public const long ScrapeIntervalMs = 15_000;

    /// <summary>
    /// The first sample of a worker's request number <paramref name="round"/>: a scrape interval after the
    /// previous request's last sample. (Until 2026-12-05 requests were 15 ms apart: a 1m step never closed
    /// during a run, so the sidecar's figures left out encoding its closed steps.)
    /// </summary>
    public static long RequestStartMs(long startMs, long round, int samplesPerSeries) => startMs + round * samplesPerSeries * ScrapeIntervalMs;

    private static void InterlockedMax(ref long target, long value)
    {
        long seen = Volatile.Read(ref target);
        while (value > seen)
        {
            long was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen)
                return;
            seen = was;
        }
    }

    /// <summary>A URL of this machine (loopback address or localhost), for the <c>--url</c> flag.</summary>
    /// <exception cref="FormatException">Not an absolute URL, or one of another machine.</exception>
    public static Uri LoopbackUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? url))
            throw new FormatException($"'{text}' is not an absolute URL");
        bool loopback = System.Net.IPAddress.TryParse(url.Host.Trim('[', ']'), out var address) ? System.Net.IPAddress.IsLoopback(address) : url.Host == "localhost";
        return loopback ? url : throw new FormatException($"'{text}' is not on this machine: load tests stay on loopback");
    }

    /// <summary>User plus system CPU time of a process, from /proc (clock ticks of 1/100 s on Linux).</summary>
    private static double CpuSeconds(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name; utime and stime are the 14th and 15th overall.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }
}
