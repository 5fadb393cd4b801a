using Microsoft.AspNetCore.Server.Kestrel.Core;
using Sidecar.Host;

namespace Sidecar.Security;

/// <summary>Applies <c>limits:</c> to Kestrel, so slow or oversized clients are cut off before any handler runs.</summary>
internal static class ConnectionLimits
{
    /// <summary>Kestrel's own grace before the data rate counts: a body's first bytes may lag a little.</summary>
    private static readonly TimeSpan BodyRateGrace = TimeSpan.FromSeconds(5);

    public static void ApplyLimits(this KestrelServerOptions kestrel, LimitSettings limits)
    {
        var c = limits.Connections;
        kestrel.Limits.MaxRequestBodySize = limits.MaxBodyBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = c.MaxHeaderBytes;
        kestrel.Limits.MaxRequestHeaderCount = c.MaxHeaders;
        kestrel.Limits.RequestHeadersTimeout = c.HeaderReadTimeout;
        kestrel.Limits.MinRequestBodyDataRate = c.MinBodyBytesPerSecond == 0 ? null : new MinDataRate(c.MinBodyBytesPerSecond, BodyRateGrace);
        kestrel.Limits.MaxConcurrentConnections = c.MaxConnections;
    }
}
