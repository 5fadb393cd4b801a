namespace Sidecar.Host;

/// <summary>Prometheus-style flags: <c>--name=value</c> or <c>--name value</c>.</summary>
internal sealed record CommandLine(string? ConfigFile, string ListenAddress, string StoragePath, LogLevel LogLevel)
{
    /// <summary>host:port of the gRPC API (HTTP/2 without TLS); null when it is off, the default.</summary>
    public string? GrpcListenAddress { get; init; }

    /// <summary>Prometheus-style web config (TLS, basic auth, remote-write tokens); null serves plain HTTP without auth.</summary>
    public string? WebConfigFile { get; init; }

    public const string DefaultListenAddress = "0.0.0.0:9201";

    public const string Usage = """
        usage: prometheus-forecast-sidecar [flags]
          --config.file=PATH            YAML config (default: sidecar.yml next to the program)
          --web.listen-address=ADDR     host:port to serve /api/v1/write and /metrics (default 0.0.0.0:9201)
          --grpc.listen-address=ADDR    host:port to serve the gRPC API on, HTTP/2 only (default: off)
          --web.config.file=PATH        TLS and authentication, in Prometheus' web config format (default: none)
          --storage.path=DIR            data directory (default data/)
          --log.level=LEVEL             debug, info, warn or error (default info)
        """;

    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["config.file", "web.listen-address", "web.config.file", "grpc.listen-address", "storage.path", "log.level"];
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new ConfigException($"flags: unexpected argument '{arg}'\n{Usage}");
            string name = arg[2..];
            string? value = null;
            int equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            if (!known.Contains(name))
                throw new ConfigException($"flags: unknown flag --{name}\n{Usage}");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new ConfigException($"flags: --{name} needs a value");
                value = args[++i];
            }
            values[name] = value;
        }
        string level = values.GetValueOrDefault("log.level", "info");
        LogLevel logLevel = level switch
        {
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Information,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            _ => throw new ConfigException($"flags: --log.level '{level}' is not one of debug, info, warn, error"),
        };
        string listen = values.GetValueOrDefault("web.listen-address", DefaultListenAddress);
        ParseListenAddress(listen);
        string? grpc = values.GetValueOrDefault("grpc.listen-address");
        if (grpc is not null)
            ParseListenAddress(grpc, "grpc.listen-address");
        return new CommandLine(values.GetValueOrDefault("config.file"), listen, values.GetValueOrDefault("storage.path", "data/"), logLevel)
        {
            GrpcListenAddress = grpc,
            WebConfigFile = values.GetValueOrDefault("web.config.file"),
        };
    }

    /// <summary>Splits <c>host:port</c>; an empty host or 0.0.0.0 means every interface.</summary>
    public static (System.Net.IPAddress Address, int Port) ParseListenAddress(string listen, string flag = "web.listen-address")
    {
        int colon = listen.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(listen.AsSpan(colon + 1), out int port) || port is < 0 or > 65535)
            throw new ConfigException($"flags: --{flag} '{listen}' is not host:port");
        string host = listen[..colon].Trim('[', ']');
        if (host.Length == 0)
            return (System.Net.IPAddress.Any, port);
        if (host == "localhost")
            return (System.Net.IPAddress.Loopback, port);
        if (!System.Net.IPAddress.TryParse(host, out var address))
            throw new ConfigException($"flags: --{flag} host '{host}' is not an IP address or localhost");
        return (address, port);
    }
}
