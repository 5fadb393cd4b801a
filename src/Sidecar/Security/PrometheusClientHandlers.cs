using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Sidecar.Security;

/// <summary>The HTTP handlers of the client to Prometheus: TLS as <c>tls_config</c> says, and the Authorization header.</summary>
internal static class PrometheusClientHandlers
{
    public static SocketsHttpHandler CreatePrimary(PrometheusHttpSettings settings)
    {
        var handler = new SocketsHttpHandler();
        if (settings.Tls is not { } tls)
            return handler;
        if (tls.ClientCertificate is { } certificate)
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { certificate };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, chain, errors) => IsTrusted(tls, presented, chain, errors);
        return handler;
    }

    private static bool IsTrusted(ClientTls tls, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
    {
        if (tls.InsecureSkipVerify)
            return true;
        if (presented is not X509Certificate2 certificate)
            return false;
        bool nameMatches = tls.ServerName is { } name
            ? certificate.MatchesHostname(name)
            : !errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch);
        if (!nameMatches)
            return false;
        if (tls.CaCertificates is { } authorities)
            return CustomTrust.Verify(certificate, chain, authorities, CustomTrust.ServerAuthentication);
        return (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
    }
}
