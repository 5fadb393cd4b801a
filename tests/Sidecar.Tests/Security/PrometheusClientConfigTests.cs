using System.Net;
using Sidecar.Host;
using Sidecar.Ingest.PromQl;
using Sidecar.Security;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>prometheus.basic_auth / authorization / tls_config: validation, and secrets read afresh for each request.</summary>
public sealed class PrometheusClientConfigTests
{
    private static string Config(string prometheusExtra, string url = "http://127.0.0.1:9090") => $"""
        demo:
          mode: off
        prometheus:
          url: {url}
        {prometheusExtra}
        targets:
          - name: t
            selector: 'up'
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    [Theory]
    [InlineData("  basic_auth: {username: u, password: p}\n  authorization: {credentials: t}", "give at most one of basic_auth and authorization")]
    [InlineData("  basic_auth: {username: u, password: p, password_file: f}", "prometheus.basic_auth: give exactly one of password and password_file")]
    [InlineData("  basic_auth: {password: p}", "prometheus.basic_auth.username: required")]
    [InlineData("  authorization: {type: Basic, credentials: t}", "must be one word and not Basic")]
    [InlineData("  authorization: {credentials_file: missing-token}", "prometheus.authorization.credentials_file: cannot read")]
    [InlineData("  tls_config: {ca_file: missing-ca.pem}", "prometheus.tls_config.ca_file: cannot read")]
    [InlineData("  tls_config: {cert_file: client.pem}", "cert_file and key_file go together")]
    [InlineData("  tls_config: {ca_fil: x}", "unknown key 'ca_fil'")]
    public void MistakesAreNamed(string extra, string message)
    {
        using var temporary = new TemporaryDirectory("client-config-");
        string directory = temporary.FullName;
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Config(extra), "sidecar.yml", directory));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("password: p", e.Message);
    }

    [Fact]
    public void EveryMistakeOfTheClientTlsIsNamedAtOnce()
    {
        using var temporary = new TemporaryDirectory("client-config-");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(
            Config("  tls_config: {ca_file: missing-ca.pem, cert_file: missing-client.pem, key_file: missing-key.pem}\n  basic_auth: {password: p}"),
            "sidecar.yml", temporary.FullName));
        Assert.Contains("prometheus.tls_config.ca_file: cannot read", e.Message);
        Assert.Contains("prometheus.tls_config.cert_file: cannot read", e.Message);
        Assert.Contains("prometheus.basic_auth.username: required", e.Message);
    }

    [Fact]
    public void RelativePathsStartAtTheConfigFilesDirectoryAndSecretsPrintRedacted()
    {
        using var temporary = new TemporaryDirectory("client-config-");
        string directory = temporary.FullName;
        var certificates = TestCertificates.Create(directory);
        File.WriteAllText(Path.Combine(directory, "token"), "tok-1\n");
        var settings = ConfigLoader.Load(Config("  authorization: {credentials_file: token}\n  tls_config: {ca_file: ca.pem, cert_file: client.pem, key_file: client-key.pem, server_name: localhost}"),
            "sidecar.yml", directory).Prometheus.Http;
        Assert.Equal(Path.Combine(directory, "token"), settings.Credentials!.Secret.File);
        Assert.Equal(certificates.Authority.Thumbprint, Assert.Single(settings.Tls!.CaCertificates!).Thumbprint);
        Assert.True(settings.Tls.ClientCertificate!.HasPrivateKey);

        var inline = ConfigLoader.Load(Config("  basic_auth: {username: forecast, password: hunter2-inline}"), "sidecar.yml", directory);
        Assert.DoesNotContain("hunter2-inline", inline.ToString());
        Assert.Contains("<secret>", inline.Prometheus.Http.ToString());
    }

    [Fact]
    public async Task ARotatedCredentialsFileIsUsedFromTheNextRequestOn()
    {
        using var temporary = new TemporaryDirectory("client-config-");
        string directory = temporary.FullName;
        string tokenFile = Path.Combine(directory, "token");
        File.WriteAllText(tokenFile, "first-token\n");
        using var listener = StartListener(out int port);
        var seen = new List<string?>();
        var serving = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                lock (seen)
                    seen.Add(context.Request.Headers["Authorization"]);
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync("""{"status":"success","data":{"resultType":"matrix","result":[]}}"""u8.ToArray());
                context.Response.Close();
            }
        });

        var settings = ConfigLoader.Load(Config("  authorization: {type: Bearer, credentials_file: token}", $"http://127.0.0.1:{port}"), "sidecar.yml", directory).Prometheus;
        using var http = new HttpClient(new PrometheusAuthorizationHandler(settings.Http.Credentials!) { InnerHandler = PrometheusClientHandlers.CreatePrimary(settings.Http) });
        var client = new QueryRangeClient(http, settings);
        await client.QueryAsync("up", 0, 60_000, 15_000, (_, _) => { }, CancellationToken.None);
        File.WriteAllText(tokenFile, "second-token\n");
        await client.QueryAsync("up", 0, 60_000, 15_000, (_, _) => { }, CancellationToken.None);
        listener.Stop();
        await serving;
        Assert.Equal(["Bearer first-token", "Bearer second-token"], seen);

        File.Delete(tokenFile);
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.QueryAsync("up", 0, 60_000, 15_000, (_, _) => { }, CancellationToken.None));
        Assert.StartsWith("prometheus.authorization.credentials_file: cannot read " + tokenFile, e.Message);
    }

    [Theory]
    [InlineData("ca_file: ca.pem, server_name: localhost", true)]
    [InlineData("ca_file: ca.pem", true)]
    [InlineData("ca_file: ca.pem, server_name: prometheus.example", false)]
    [InlineData("ca_file: other-ca/ca.pem", false)]
    [InlineData("insecure_skip_verify: true", true)]
    [InlineData("server_name: localhost", false)]
    public async Task TheServerCertificateIsCheckedAgainstCaFileAndServerName(string tlsConfig, bool trusted)
    {
        // The sidecar itself serves TLS here; it has no query_range, so a 404 proves the handshake succeeded.
        using var temporary = new TemporaryDirectory("client-tls-");
        string directory = temporary.FullName;
        TestCertificates.Create(directory);
        TestCertificates.Create(Directory.CreateDirectory(Path.Combine(directory, "other-ca")).FullName, "another CA");
        await using var server = await SecuredSidecar.StartAsync("tls_server_config: {cert_file: server.pem, key_file: server-key.pem}\n", directory: directory);
        var settings = ConfigLoader.Load(Config($"  tls_config: {{{tlsConfig}}}", server.Address.ToString()), "sidecar.yml", directory).Prometheus;
        using var http = new HttpClient(PrometheusClientHandlers.CreatePrimary(settings.Http));
        var e = await Assert.ThrowsAsync<HttpRequestException>(() => new QueryRangeClient(http, settings).QueryAsync("up", 0, 60_000, 15_000, (_, _) => { }, CancellationToken.None));
        if (trusted)
            Assert.Contains("answered 404", e.Message);
        else
            Assert.IsType<System.Security.Authentication.AuthenticationException>(e.InnerException);
    }

    /// <summary>
    /// A listener on a free loopback port. Another process can take the port between finding it free and
    /// listening on it (it happened beside the parallel end-to-end tests), so a taken one is tried again on another.
    /// </summary>
    private static HttpListener StartListener(out int port)
    {
        for (int attempt = 1; ; attempt++)
        {
            port = PrometheusServer.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }
}
