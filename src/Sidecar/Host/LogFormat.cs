namespace Sidecar.Host;

/// <summary>How log lines are written to the console (<c>--log.format</c>).</summary>
internal enum LogFormat
{
    /// <summary>key=value pairs on one line, as Prometheus logs by default.</summary>
    Logfmt,

    /// <summary>One JSON object per line (Microsoft.Extensions.Logging's JSON console formatter).</summary>
    Json,
}
