using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sidecar.Host;
using Sidecar.Security;

namespace Sidecar.Api.Grpc;

/// <summary>
/// Wires the gRPC API into the host when <c>--grpc.listen-address</c> is given. gRPC needs HTTP/2, and
/// without TLS Kestrel can't negotiate it (no ALPN): an Http1AndHttp2 endpoint in cleartext speaks only
/// HTTP/1.1. So the API gets a listener of its own that speaks HTTP/2 only (h2c with prior knowledge, as
/// gRPC clients do over http://), and the main port stays HTTP/1.1 for remote-write and scrapes.
/// Off by default: a port that changes state (Retrain) is opened only when asked for.
/// </summary>
internal static class GrpcApi
{
    /// <summary>Adds the listener and the gRPC services; does nothing when the flag is absent.</summary>
    /// <param name="webConfig">Applied to this listener too: with TLS the API is served over TLS (HTTP/2 by ALPN), never in the clear beside a TLS main port.</param>
    public static void AddGrpcApi(this WebApplicationBuilder builder, ServeFlags flags, WebConfig webConfig)
    {
        if (flags.GrpcListenAddress is not { } listen)
            return;
        var (address, port) = ServeFlags.ParseListenAddress(listen);
        // Registered after the main listener's, so Kestrel binds (and reports) the main address first.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, port, options =>
        {
            options.Protocols = HttpProtocols.Http2;
            options.UseWebConfig(webConfig);
        }));
        builder.Services.AddGrpc();
    }

    public static void MapGrpcApi(this WebApplication app, ServeFlags flags)
    {
        if (flags.GrpcListenAddress is not null)
            app.MapGrpcService<ForecastSidecarService>();
    }
}
