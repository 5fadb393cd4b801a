using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sidecar.Tests.Support;

/// <summary>
/// A throw-away CA and certificates it signed, made in the test and written as PEM files: ca.pem,
/// server.pem/server-key.pem (for 127.0.0.1 and localhost) and client.pem/client-key.pem.
/// </summary>
internal sealed class TestCertificates
{
    private TestCertificates(string directory, X509Certificate2 authority)
    {
        Directory = directory;
        Authority = authority;
    }

    public string Directory { get; }

    public X509Certificate2 Authority { get; }

    public string CaFile => Path.Combine(Directory, "ca.pem");

    public string ServerCertFile => Path.Combine(Directory, "server.pem");

    public string ServerKeyFile => Path.Combine(Directory, "server-key.pem");

    public string ClientCertFile => Path.Combine(Directory, "client.pem");

    public string ClientKeyFile => Path.Combine(Directory, "client-key.pem");

    public static TestCertificates Create(string directory, string caName = "sidecar test CA")
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN={caName}", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var authority = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
        File.WriteAllText(Path.Combine(directory, "ca.pem"), authority.ExportCertificatePem());

        var serverNames = new SubjectAlternativeNameBuilder();
        serverNames.AddIpAddress(IPAddress.Loopback);
        serverNames.AddDnsName("localhost");
        Issue(authority, directory, "server", "CN=127.0.0.1", serverNames.Build(), CustomTrustOid.ServerAuth, now);
        Issue(authority, directory, "client", "CN=forecast-sidecar", null, CustomTrustOid.ClientAuth, now);
        return new TestCertificates(directory, authority);
    }

    private static void Issue(X509Certificate2 authority, string directory, string name, string subject, X509Extension? names, string usage, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
            request.CertificateExtensions.Add(names);
        using var certificate = request.Create(authority, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        File.WriteAllText(Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, name + "-key.pem"), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>An HttpClient handler that trusts only this CA, as a client given <c>ca_file</c> would.</summary>
    public SocketsHttpHandler TrustingHandler() => new()
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (certificate is not X509Certificate2 leaf || errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
                    return false;
                using var custom = new X509Chain();
                custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                custom.ChainPolicy.CustomTrustStore.Add(Authority);
                custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return custom.Build(leaf);
            },
        },
    };

    private static class CustomTrustOid
    {
        public const string ServerAuth = "1.3.6.1.5.5.7.3.1";
        public const string ClientAuth = "1.3.6.1.5.5.7.3.2";
    }
}
