using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>What the security tests share: a minimal config, a web config file beside it, and request builders.</summary>
internal static class SecuredSidecar
{
    public const string Config = """
        demo:
          mode: off
        targets:
          - name: t
            selector: 'up'
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    /// <summary>Writes <paramref name="webConfigYaml"/> to a fresh directory and starts the host with <c>--web.config.file</c> pointing at it.</summary>
    /// <param name="grpc">Also serve the gRPC API, on a second port under the same web config.</param>
    public static async Task<RunningSidecar> StartAsync(string webConfigYaml, string configYaml = Config, CapturedLog? log = null, string? directory = null,
        bool grpc = false, params string[] extraArgs)
    {
        bool fresh = directory is null;
        directory ??= Directory.CreateTempSubdirectory("sidecar-web-").FullName;
        string webConfig = Path.Combine(directory, "web.yml");
        await File.WriteAllTextAsync(webConfig, webConfigYaml);
        return await RunningSidecar.StartAsync(configYaml, directory: directory, deleteDirectory: fresh, grpc: grpc, extraArgs: ["--web.config.file=" + webConfig, .. extraArgs],
            logging: log is null ? null : (ILoggingBuilder builder) => builder.AddProvider(log));
    }

    public static string Hash(string password, int cost = 4) => BCrypt.Net.BCrypt.HashPassword(password, cost);

    public static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    /// <summary>A valid remote-write 1.0 request for one sample of <c>up</c>.</summary>
    public static HttpRequestMessage Write(Uri address, AuthenticationHeaderValue? authorization = null)
    {
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(WriteRequests.Series("up", ("job", "a")).With((1_700_000_000_000, 1)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        return new HttpRequestMessage(HttpMethod.Post, new Uri(address, "/api/v1/write")) { Content = content, Headers = { Authorization = authorization } };
    }

    public static HttpRequestMessage Get(Uri address, string path, AuthenticationHeaderValue? authorization = null) =>
        new(HttpMethod.Get, new Uri(address, path)) { Headers = { Authorization = authorization } };
}
