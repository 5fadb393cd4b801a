using System.CommandLine;
using Microsoft.AspNetCore.Connections;

namespace Sidecar.Host;

/// <summary>
/// The sidecar itself, what the program does without a subcommand: its flags, under the names and in the
/// forms of Prometheus' own (<c>--storage.path=data/</c> or <c>--storage.path data/</c>), and running the
/// host with them until it is stopped.
/// </summary>
internal sealed class ServeCommand
{
    private readonly ValueFlag<string?> _configFile = new("--config.file", "PATH",
        $"YAML config [default: {SidecarHost.DefaultConfigFileName} next to the program]", null, FlagValues.Text);

    private readonly ValueFlag<string> _listenAddress = new("--web.listen-address", "ADDR",
        "host:port to serve remote-write (/api/v1/write), /metrics and the web UI on", ServeFlags.DefaultListenAddress, FlagValues.ListenAddress);

    private readonly ValueFlag<string?> _grpcListenAddress = new("--grpc.listen-address", "ADDR",
        "host:port to serve the gRPC API on, HTTP/2 only [default: off]", null, FlagValues.ListenAddress);

    private readonly ValueFlag<string?> _webConfigFile = new("--web.config.file", "PATH",
        "TLS and authentication, in Prometheus' web config format [default: none, plain HTTP]", null, FlagValues.Text);

    private readonly ValueFlag<string> _storagePath = new("--storage.path", "DIR",
        "data directory: store snapshots, models and streaming states", "data/", FlagValues.Text);

    private readonly ValueFlag<LogLevel> _logLevel = new("--log.level", "LEVEL", "debug, info, warn or error", "info", LogLevelNamed);

    private readonly ValueFlag<LogFormat> _logFormat = new("--log.format", "FORMAT", "logfmt or json, one line per event", "logfmt", LogFormatNamed);

    private readonly Option<bool> _enableLifecycle = SwitchFlag.Create("--web.enable-lifecycle",
        "enable POST /-/reload and /-/quit (SIGHUP reloads regardless)");

    private readonly ValueFlag<TimeSpan> _shutdownTimeout = new("--shutdown.timeout", "DURATION",
        "deadline of a graceful shutdown: draining requests, the final snapshot", "30s", FlagValues.PositiveDuration);

    public IEnumerable<Option> Options =>
    [
        _configFile.Option, _listenAddress.Option, _grpcListenAddress.Option, _webConfigFile.Option, _storagePath.Option,
        _logLevel.Option, _logFormat.Option, _enableLifecycle, _shutdownTimeout.Option,
    ];

    public ServeFlags Read(ParseResult result) => new(
        _configFile.Read(result),
        _listenAddress.Read(result),
        _grpcListenAddress.Read(result),
        _webConfigFile.Read(result),
        _storagePath.Read(result),
        _logLevel.Read(result),
        _logFormat.Read(result),
        result.GetValue(_enableLifecycle),
        _shutdownTimeout.Read(result));

    /// <returns>The exit code: 0 after a graceful stop, 1 for a setup error (config, web config, a taken port).</returns>
    public static async Task<int> RunAsync(ServeFlags flags, TextWriter error)
    {
        WebApplication app;
        try
        {
            app = SidecarHost.Build(flags);
        }
        catch (ConfigException e)
        {
            await error.WriteLineAsync(e.Message);
            return 1;
        }
        try
        {
            await app.RunAsync();
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            // A taken port is a setup error like a bad flag: say which address, exit 1, no stack trace.
            await error.WriteLineAsync($"{e.Message} Another process listens there: stop it, or choose another --web.listen-address (or --grpc.listen-address).");
            return 1;
        }
        return 0;
    }

    private static LogLevel LogLevelNamed(string text) => text switch
    {
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new FormatException($"'{text}' is not one of debug, info, warn, error"),
    };

    private static LogFormat LogFormatNamed(string text) => text switch
    {
        "logfmt" => LogFormat.Logfmt,
        "json" => LogFormat.Json,
        _ => throw new FormatException($"'{text}' is not one of logfmt, json"),
    };
}
