namespace Sidecar.Host;

// The YAML shape of prometheus.basic_auth, prometheus.authorization and prometheus.tls_config: the
// names and meaning of Prometheus' own http_config, so a block can be copied from a prometheus.yml.

internal sealed class BasicAuthSection
{
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>Read again for every request, so a rotated password needs no restart.</summary>
    public string? PasswordFile { get; set; }
}

internal sealed class AuthorizationSection
{
    /// <summary>The scheme of the Authorization header.</summary>
    public string Type { get; set; } = "Bearer";

    public string? Credentials { get; set; }

    /// <summary>Read again for every request, so a rotated token needs no restart.</summary>
    public string? CredentialsFile { get; set; }
}

internal sealed class TlsClientSection
{
    /// <summary>PEM CA certificates: the only roots trusted for Prometheus' certificate when set.</summary>
    public string? CaFile { get; set; }

    public string? CertFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>The name Prometheus' certificate must carry, when it differs from the URL's host.</summary>
    public string? ServerName { get; set; }

    public bool InsecureSkipVerify { get; set; }
}
