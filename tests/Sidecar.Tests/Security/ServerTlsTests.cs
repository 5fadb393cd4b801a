using System.Net;
using System.Security.Authentication;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>The sidecar serving TLS with a certificate from a CA made in the test.</summary>
public sealed class ServerTlsTests
{
    [Fact]
    public async Task AClientTrustingTheCaConnectsAndOneThatDoesNotIsRefused()
    {
        using var temporary = new TemporaryDirectory("sidecar-tls-");
        string directory = temporary.FullName;
        var certificates = TestCertificates.Create(directory);
        await using var sidecar = await SecuredSidecar.StartAsync("""
            tls_server_config:
              cert_file: server.pem
              key_file: server-key.pem
            """, directory: directory);
        Assert.Equal("https", sidecar.Address.Scheme);

        using var trusting = new HttpClient(certificates.TrustingHandler());
        Assert.Equal(HttpStatusCode.OK, (await trusting.GetAsync(new Uri(sidecar.Address, "/-/healthy"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await trusting.SendAsync(SecuredSidecar.Write(sidecar.Address))).StatusCode);

        // The system's trust store doesn't know the test CA, nor does a client trusting another one.
        using var system = new HttpClient();
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => system.GetAsync(new Uri(sidecar.Address, "/-/healthy")));
        Assert.IsType<AuthenticationException>(e.InnerException);
        using var otherDirectory = new TemporaryDirectory("sidecar-tls-other-");
        var other = TestCertificates.Create(otherDirectory.FullName, "another CA");
        using var otherClient = new HttpClient(other.TrustingHandler());
        await Assert.ThrowsAsync<HttpRequestException>(() => otherClient.GetAsync(new Uri(sidecar.Address, "/-/healthy")));
    }

    [Fact]
    public async Task WithRequireAndVerifyClientCertOnlyAClientCertificateFromTheClientCaGetsIn()
    {
        using var temporary = new TemporaryDirectory("sidecar-mtls-");
        string directory = temporary.FullName;
        var certificates = TestCertificates.Create(directory);
        await using var sidecar = await SecuredSidecar.StartAsync("""
            tls_server_config:
              cert_file: server.pem
              key_file: server-key.pem
              client_ca_file: ca.pem
              client_auth_type: RequireAndVerifyClientCert
              min_version: TLS13
            """, directory: directory);

        var withCertificate = certificates.TrustingHandler();
        withCertificate.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certificates.ClientCertFile, certificates.ClientKeyFile)];
        using var accepted = new HttpClient(withCertificate);
        Assert.Equal(HttpStatusCode.OK, (await accepted.GetAsync(new Uri(sidecar.Address, "/-/healthy"))).StatusCode);

        using var without = new HttpClient(certificates.TrustingHandler());
        await Assert.ThrowsAsync<HttpRequestException>(() => without.GetAsync(new Uri(sidecar.Address, "/-/healthy")));

        using var strangerDirectory = new TemporaryDirectory("sidecar-mtls-other-");

        var stranger = TestCertificates.Create(strangerDirectory.FullName, "another CA");
        var withForeign = certificates.TrustingHandler();
        withForeign.SslOptions.ClientCertificates = [System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(stranger.ClientCertFile, stranger.ClientKeyFile)];
        using var refused = new HttpClient(withForeign);
        await Assert.ThrowsAsync<HttpRequestException>(() => refused.GetAsync(new Uri(sidecar.Address, "/-/healthy")));
    }
}
