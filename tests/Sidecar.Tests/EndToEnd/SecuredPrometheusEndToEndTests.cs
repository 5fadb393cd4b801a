using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Sidecar.Tests.Security;
using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// The real Prometheus behind its own web config (TLS from a CA made in the test, and basic auth): the
/// sidecar backfills through remote-read and polls query_range through both, with the CA as its only
/// trust root; wrong credentials or a CA it doesn't have fail with a clear log line, and no secret is logged.
/// </summary>
public sealed class SecuredPrometheusEndToEndTests(ITestOutputHelper output)
{
    private const string PrometheusPassword = "prom-pass-41d7e";
    private const string WrongPrometheusPassword = "not-the-pass-9a0c";
    private const string SidecarPassword = "sidecar-pass-2b6f";
    private const string SidecarToken = "sidecar-token-c3e8";
    private const int HistorySamples = 240;

    private static string SidecarConfig(Uri prometheus, string tlsConfig) => $$"""
        demo:
          mode: off
        prometheus:
          url: {{prometheus}}
          timeout: 10s
          basic_auth:
            username: forecast
            password_file: prometheus-password
        {{tlsConfig}}
        targets:
          - name: bf
            selector: 'sec_value{job="sec"}'
            step: 1m
            horizons: [5m]
            history: 6h
          - name: pq
            query: 'sum(sec_value)'
            step: 1m
            horizons: [5m]
            history: 6h
        """;

    private static async Task<(PrometheusServer Prometheus, TestCertificates Certificates)> StartSecuredPrometheusAsync(TemporaryDirectory certificatesDirectory)
    {
        var certificates = TestCertificates.Create(certificatesDirectory.FullName);
        long end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 60_000 * 60_000 - 5 * 60_000;
        var samples = Enumerable.Range(0, HistorySamples).Select(i => (end - (HistorySamples - 1 - i) * 60_000L, 10.0 + i % 7)).ToList();
        var web = new PrometheusServer.WebAccess($"""
            tls_server_config:
              cert_file: {certificates.ServerCertFile}
              key_file: {certificates.ServerKeyFile}
            basic_auth_users:
              forecast: {SecuredSidecar.Hash(PrometheusPassword)}
            """, Tls: true, certificates.TrustingHandler, SecuredSidecar.Basic("forecast", PrometheusPassword));
        var prometheus = await PrometheusServer.StartAsync("global:\n  scrape_interval: 1m\n", history: new PrometheusHistory([new("sec_value", [("instance", "h"), ("job", "sec")], samples)]), web: web);
        return (prometheus, certificates);
    }

    private static TemporaryDirectory ConfigDirectory(string password)
    {
        var directory = new TemporaryDirectory("sidecar-client-");
        File.WriteAllText(Path.Combine(directory.FullName, "prometheus-password"), password + "\n");
        return directory;
    }

    [Fact]
    public async Task BackfillAndPromQlWorkThroughTlsAndBasicAuthWithTheCaFile()
    {
        using var certificatesDirectory = new TemporaryDirectory("prometheus-tls-");
        var (prometheus, certificates) = await StartSecuredPrometheusAsync(certificatesDirectory);
        await using var _ = prometheus;
        // Prometheus really refuses a client without the password.
        using (var anonymous = new HttpClient(certificates.TrustingHandler()))
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(new Uri(prometheus.Address, "/api/v1/query?query=up"))).StatusCode);

        using var directory = ConfigDirectory(PrometheusPassword);
        await using var sidecar = await RunningSidecar.StartAsync(SidecarConfig(prometheus.Address, $"""
              tls_config:
                ca_file: {certificates.CaFile}
            """), directory: directory.FullName);
        string text = "";
        for (int i = 0; i < 120 && !(text.Contains($"forecast_sidecar_backfill_samples_total{{target=\"bf\"}} {HistorySamples}")
            && text.Contains("forecast_sidecar_promql_polls_total{target=\"pq\",result=\"success\"}")); i++)
        {
            await Task.Delay(500);
            text = await sidecar.ScrapeAsync();
        }
        output.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.Contains("backfill") || l.Contains("promql"))));
        Assert.Contains($"forecast_sidecar_backfill_samples_total{{target=\"bf\"}} {HistorySamples}", text);
        Assert.Contains("forecast_sidecar_promql_polls_total{target=\"pq\",result=\"success\"}", text);
        Assert.DoesNotContain("result=\"failure\"", text);
    }

    [Fact]
    public async Task WrongCredentialsAndAnUntrustedCaFailClearlyAndNoSecretIsLogged()
    {
        using var certificatesDirectory = new TemporaryDirectory("prometheus-tls-");
        var (prometheus, certificates) = await StartSecuredPrometheusAsync(certificatesDirectory);
        await using var _ = prometheus;

        // A sidecar with its own web config, the wrong password for Prometheus, and everything logged down to debug.
        var log = new CapturedLog();
        using var directory = ConfigDirectory(WrongPrometheusPassword);
        string sidecarHash = SecuredSidecar.Hash(SidecarPassword);
        await using (var sidecar = await SecuredSidecar.StartAsync($"""
            basic_auth_users:
              admin: {sidecarHash}
            remote_write_bearer_tokens: [{SidecarToken}]
            """, SidecarConfig(prometheus.Address, $"""
              tls_config:
                ca_file: {certificates.CaFile}
            """), log, directory.FullName, extraArgs: "--log.level=debug"))
        {
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, SecuredSidecar.Basic("admin", SidecarPassword + "x")))).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, new("Bearer", SidecarToken + "x")))).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, new("Bearer", SidecarToken)))).StatusCode);
            var right = SecuredSidecar.Basic("admin", SidecarPassword);
            string text = "";
            for (int i = 0; i < 60 && !(text.Contains("forecast_sidecar_backfill_runs_total{target=\"bf\",result=\"failure\"}")
                && text.Contains("forecast_sidecar_promql_polls_total{target=\"pq\",result=\"failure\"}")); i++)
            {
                await Task.Delay(500);
                text = await (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics", right))).Content.ReadAsStringAsync();
            }
            Assert.Contains("forecast_sidecar_backfill_runs_total{target=\"bf\",result=\"failure\"}", text);
            Assert.Contains("forecast_sidecar_promql_polls_total{target=\"pq\",result=\"failure\"}", text);
        }
        string logged = log.Text;
        output.WriteLine(logged);
        Assert.Contains($"remote-read: {prometheus.Address}api/v1/read answered 401: Unauthorized", logged);
        Assert.Contains($"query_range: {prometheus.Address}api/v1/query_range answered 401: Unauthorized", logged);
        Assert.Contains("1 basic-auth user(s), 1 remote-write bearer token(s)", logged);
        string[] secrets =
        [
            PrometheusPassword, WrongPrometheusPassword, SidecarPassword, SidecarToken, sidecarHash,
            Convert.ToBase64String(Encoding.UTF8.GetBytes("forecast:" + WrongPrometheusPassword)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + SidecarPassword)),
        ];
        foreach (string secret in secrets)
            Assert.DoesNotContain(secret, logged);

        // Without the CA, Prometheus' certificate is not trusted: the handshake fails, and says so.
        var untrustedLog = new CapturedLog();
        using var untrustingDirectory = ConfigDirectory(PrometheusPassword);
        await using (var untrusting = await RunningSidecar.StartAsync(SidecarConfig(prometheus.Address, ""), directory: untrustingDirectory.FullName,
            extraArgs: ["--log.level=info"], logging: builder => builder.AddProvider(untrustedLog)))
        {
            string text = "";
            for (int i = 0; i < 60 && !text.Contains("forecast_sidecar_backfill_runs_total{target=\"bf\",result=\"failure\"}"); i++)
            {
                await Task.Delay(500);
                text = await untrusting.ScrapeAsync();
            }
            Assert.Contains("forecast_sidecar_backfill_runs_total{target=\"bf\",result=\"failure\"}", text);
            Assert.DoesNotContain("forecast_sidecar_backfill_samples_total{target=\"bf\"}", text);
        }
        output.WriteLine(untrustedLog.Text);
        Assert.Contains("The SSL connection could not be established", untrustedLog.Text);
        Assert.DoesNotContain(PrometheusPassword, untrustedLog.Text);
    }
}
