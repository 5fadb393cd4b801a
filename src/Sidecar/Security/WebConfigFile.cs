namespace Sidecar.Security;

// The YAML shape of --web.config.file: Prometheus' own web config (exporter-toolkit) as far as this
// program implements it, plus two keys of ours for remote-write bearer tokens. WebConfigLoader validates it.

internal sealed class WebConfigFile
{
    public TlsServerSection? TlsServerConfig { get; set; }

    /// <summary>User name to bcrypt hash.</summary>
    public Dictionary<string, string>? BasicAuthUsers { get; set; }

    /// <summary>Tokens accepted as <c>Authorization: Bearer</c> on /api/v1/write only.</summary>
    public List<string>? RemoteWriteBearerTokens { get; set; }

    /// <summary>Files holding one such token each (surrounding whitespace ignored).</summary>
    public List<string>? RemoteWriteBearerTokenFiles { get; set; }
}

internal sealed class TlsServerSection
{
    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    public string? ClientCaFile { get; set; }

    /// <summary>exporter-toolkit's names: NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert.</summary>
    public string? ClientAuthType { get; set; }

    /// <summary>TLS12 (default) or TLS13.</summary>
    public string? MinVersion { get; set; }
}
