using System.Net;

namespace Sidecar.Host;

/// <summary>The sidecar's own flags, as <see cref="ServeCommand"/> reads them from the command line.</summary>
/// <param name="ConfigFile">The YAML config; null for sidecar.yml next to the program.</param>
/// <param name="ListenAddress">host:port of remote-write, /metrics and the web UI.</param>
/// <param name="GrpcListenAddress">host:port of the gRPC API (HTTP/2 without TLS); null when it is off, the default.</param>
/// <param name="WebConfigFile">Prometheus-style web config (TLS, basic auth, remote-write tokens); null serves plain HTTP without auth.</param>
/// <param name="StoragePath">The data directory: store snapshot, models, streaming and scoring states.</param>
/// <param name="EnableLifecycle">As in Prometheus: <c>POST /-/reload</c> and <c>/-/quit</c> answer only with this flag; SIGHUP always reloads.</param>
/// <param name="ShutdownTimeout">How long a graceful shutdown (draining requests, the final snapshot) may take before it is cut short.</param>
internal sealed record ServeFlags(
    string? ConfigFile,
    string ListenAddress,
    string? GrpcListenAddress,
    string? WebConfigFile,
    string StoragePath,
    LogLevel LogLevel,
    LogFormat LogFormat,
    bool EnableLifecycle,
    TimeSpan ShutdownTimeout)
{
    public const string DefaultListenAddress = "0.0.0.0:9201";

    /// <summary>Splits <c>host:port</c>; an empty host or 0.0.0.0 means every interface.</summary>
    /// <exception cref="FormatException">Not host:port, or a host that is neither an IP address nor localhost.</exception>
    public static (IPAddress Address, int Port) ParseListenAddress(string listen)
    {
        int colon = listen.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(listen.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
            throw new FormatException($"'{listen}' is not host:port");
        string host = listen[..colon].Trim('[', ']');
        if (host.Length == 0)
            return (IPAddress.Any, port);
        if (host == "localhost")
            return (IPAddress.Loopback, port);
        if (!IPAddress.TryParse(host, out var address))
            throw new FormatException($"host '{host}' is not an IP address or localhost");
        return (address, port);
    }
}
