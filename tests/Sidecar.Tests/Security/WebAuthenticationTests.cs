using System.Net;
using System.Net.Http.Headers;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>Basic auth and remote-write bearer tokens from <c>--web.config.file</c>, over real HTTP on loopback.</summary>
public sealed class WebAuthenticationTests
{
    private const string Password = "wonderland-7f3a";
    private const string Token = "rw-token-5c1e9d";
    private const string FileToken = "rw-token-from-file-88b2";

    private static string WebConfig(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "token.txt"), FileToken + "\n");
        return $"""
            basic_auth_users:
              alice: {SecuredSidecar.Hash(Password)}
            remote_write_bearer_tokens: [{Token}]
            remote_write_bearer_token_files: [token.txt]
            """;
    }

    [Fact]
    public async Task RequestsWithoutCredentialsAreRefusedWith401AndAChallengeButProbesStayOpen()
    {
        using var temporary = new TemporaryDirectory("sidecar-web-");
        string directory = temporary.FullName;
        await using var sidecar = await SecuredSidecar.StartAsync(WebConfig(directory), directory: directory);
        using var http = new HttpClient();

        var metrics = await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, metrics.StatusCode);
        Assert.Equal("Basic realm=\"prometheus-forecast-sidecar\", charset=\"UTF-8\"", Assert.Single(metrics.Headers.WwwAuthenticate).ToString());

        var write = await http.SendAsync(SecuredSidecar.Write(sidecar.Address));
        Assert.Equal(HttpStatusCode.Unauthorized, write.StatusCode);
        Assert.Equal(["Basic", "Bearer"], write.Headers.WwwAuthenticate.Select(c => c.Scheme));

        // Routing ignores case and a trailing slash, so must the check.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/METRICS/"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/no-such-page"))).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(sidecar.Address, "/-/healthy"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri(sidecar.Address, "/-/ready"))).StatusCode);
        Assert.DoesNotContain("forecast_sidecar_samples_received_total{source=\"remote_write\"}", await ScrapeAsync(sidecar.Address, http));
    }

    [Fact]
    public async Task TheRightPasswordOrTokenLetsInAndAWrongOneDoesNot()
    {
        using var temporary = new TemporaryDirectory("sidecar-web-");
        string directory = temporary.FullName;
        await using var sidecar = await SecuredSidecar.StartAsync(WebConfig(directory), directory: directory);
        using var http = new HttpClient();
        var right = SecuredSidecar.Basic("alice", Password);

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics", right))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, right))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, new("Bearer", Token)))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, new("bearer", FileToken)))).StatusCode);

        AuthenticationHeaderValue[] wrong =
        [
            SecuredSidecar.Basic("alice", Password + "x"),
            SecuredSidecar.Basic("alice", ""),
            SecuredSidecar.Basic("mallory", Password),
            new("Basic", "not base64!"),
            new("Bearer", Token + "x"),
            new("Bearer", Token[..^1]),
            new("Digest", Token),
        ];
        foreach (var authorization in wrong)
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, authorization))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics", SecuredSidecar.Basic("alice", "nope")))).StatusCode);
        // Tokens are for remote-write only: they open nothing else.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics", new("Bearer", Token)))).StatusCode);

        Assert.Contains("forecast_sidecar_remote_write_requests_total{protocol=\"1.0\",code=\"204\"} 3", await ScrapeAsync(sidecar.Address, http, right));
    }

    [Fact]
    public async Task TokensWithoutUsersGuardOnlyRemoteWrite()
    {
        await using var sidecar = await SecuredSidecar.StartAsync($"remote_write_bearer_tokens: [{Token}]\n");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(SecuredSidecar.Get(sidecar.Address, "/metrics"))).StatusCode);
        var refused = await http.SendAsync(SecuredSidecar.Write(sidecar.Address));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", Assert.Single(refused.Headers.WwwAuthenticate).Scheme);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(SecuredSidecar.Write(sidecar.Address, new("Bearer", Token)))).StatusCode);
    }

    private static async Task<string> ScrapeAsync(Uri address, HttpClient http, AuthenticationHeaderValue? authorization = null)
    {
        authorization ??= SecuredSidecar.Basic("alice", Password);
        var response = await http.SendAsync(SecuredSidecar.Get(address, "/metrics", authorization));
        return await response.Content.ReadAsStringAsync();
    }
}
