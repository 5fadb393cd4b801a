using Prometheus;

namespace Sidecar.Bench;

/// <summary>
/// One scrape of /metrics as Prometheus' GET makes it (<see cref="Expose.MetricsExposition"/>: the forecast
/// gauges, then the registry), into a sink that only counts bytes. A benchmark needs it for more than the
/// time: prometheus-net renders each of its children's label text at the first scrape and keeps it, so
/// memory measured before any scrape misses part of what a served sidecar holds.
/// </summary>
internal static class MetricsScrape
{
    public static (long Bytes, double Seconds) Run(Expose.ForecastGauges gauges, CollectorRegistry registry)
    {
        using var sink = new CountingSink();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Expose.MetricsExposition.WriteAsync(sink, gauges, registry).GetAwaiter().GetResult();
        return (sink.Length, watch.Elapsed.TotalSeconds);
    }

    private sealed class CountingSink : Stream
    {
        private long _written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => _written += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _written += buffer.Length;
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            _written += count;
            return Task.CompletedTask;
        }
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _written += buffer.Length;
            return ValueTask.CompletedTask;
        }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
