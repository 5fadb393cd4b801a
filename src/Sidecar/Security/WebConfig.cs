using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Sidecar.Security;

/// <summary>
/// The validated web config: what the server presents (TLS) and whom it lets in. Holds password hashes
/// and token digests, so it has no generated ToString that could print them.
/// </summary>
internal sealed class WebConfig
{
    public static readonly WebConfig None = new(null, null, new Dictionary<string, string>(), []);

    public WebConfig(string? source, ServerTls? tls, IReadOnlyDictionary<string, string> basicAuthUsers, IReadOnlyList<byte[]> bearerTokenDigests)
    {
        Source = source;
        Tls = tls;
        BasicAuthUsers = basicAuthUsers;
        BearerTokenDigests = bearerTokenDigests;
    }

    public string? Source { get; }

    public ServerTls? Tls { get; }

    /// <summary>User name to bcrypt hash; empty for no basic auth.</summary>
    public IReadOnlyDictionary<string, string> BasicAuthUsers { get; }

    /// <summary>SHA-256 of each remote-write bearer token; empty for none.</summary>
    public IReadOnlyList<byte[]> BearerTokenDigests { get; }

    public bool RequiresAuthentication => BasicAuthUsers.Count > 0 || BearerTokenDigests.Count > 0;

    /// <summary>A one-line description for the startup log: counts and modes, never a credential.</summary>
    public override string ToString() => Source is null
        ? "none (plain HTTP, no authentication)"
        : $"{Source}: TLS {(Tls is null ? "off" : "on, client certificates " + Tls.ClientCertificateMode)}, "
          + $"{BasicAuthUsers.Count} basic-auth user(s), {BearerTokenDigests.Count} remote-write bearer token(s)";
}

/// <param name="ClientCertificateAuthorities">Null when client certificates, if any, are not verified.</param>
internal sealed record ServerTls(
    X509Certificate2 Certificate,
    X509Certificate2Collection Intermediates,
    SslProtocols Protocols,
    ClientCertificateMode ClientCertificateMode,
    X509Certificate2Collection? ClientCertificateAuthorities);
