using System.Security.Cryptography.X509Certificates;

namespace Sidecar.Security;

/// <summary>How the sidecar authenticates to Prometheus and checks Prometheus' certificate.</summary>
internal sealed record PrometheusHttpSettings(PrometheusCredentials? Credentials, ClientTls? Tls)
{
    public static readonly PrometheusHttpSettings None = new(null, null);
}

/// <summary>An Authorization header: <c>Basic</c> from a user name and password, or a scheme (Bearer) with a token.</summary>
/// <param name="Key">The config key the secret came from, for error messages.</param>
internal sealed record PrometheusCredentials(string Scheme, string? Username, Secret Secret, string Key);

/// <param name="CaCertificates">The only trusted roots; null trusts the system's.</param>
/// <param name="ServerName">The name Prometheus' certificate must match instead of the URL's host; null for the host.</param>
internal sealed record ClientTls(X509Certificate2Collection? CaCertificates, X509Certificate2? ClientCertificate, string? ServerName, bool InsecureSkipVerify);
