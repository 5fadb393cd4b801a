using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

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
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var target = new ScrapeTarget(builder.Build(), value, metric);
        await target._app.StartAsync();
        string address = target._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        target.HostPort = new Uri(address).Authority;
        return target;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
