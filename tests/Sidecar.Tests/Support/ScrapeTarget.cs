using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Sidecar.Tests.Support;

/// <summary>A tiny exporter for Prometheus to scrape: one gauge whose value the test controls.</summary>
internal sealed class ScrapeTarget : IAsyncDisposable
{
    private readonly WebApplication _app;
    private double _offset;

    private ScrapeTarget(WebApplication app, Func<double> value, string metric)
    {
        _app = app;
        app.MapGet("/metrics", () => Results.Text(
            $"# TYPE {metric} gauge\n{metric} {(value() + Volatile.Read(ref _offset)).ToString("R", CultureInfo.InvariantCulture)}\n",
            "text/plain; version=0.0.4"));
    }

    public string HostPort { get; private set; } = "";

    /// <summary>Added to every value served from now on; a large offset is a spike.</summary>
    public double Offset
    {
        get => Volatile.Read(ref _offset);
        set => Volatile.Write(ref _offset, value);
    }

    public static async Task<ScrapeTarget> StartAsync(string metric, Func<double> value)
    {
        var target = new ScrapeTarget(LoopbackApp.Create(), value, metric);
        await target._app.StartAsync();
        target.HostPort = LoopbackApp.Address(target._app).Authority;
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
