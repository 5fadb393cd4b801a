using Grpc.Core;
using Grpc.Net.Client;
using Sidecar.Api.Grpc.V1;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>The gRPC port follows the web config like the main one: TLS when it has TLS, and the same credentials.</summary>
public sealed class GrpcSecurityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sidecar-grpc-tls-").FullName;

    [Fact]
    public async Task WithTlsAndUsersTheApiIsServedOverTlsAndNeedsCredentials()
    {
        var certificates = TestCertificates.Create(_directory);
        await using var sidecar = await SecuredSidecar.StartAsync($"""
            tls_server_config:
              cert_file: server.pem
              key_file: server-key.pem
            basic_auth_users:
              alice: '{SecuredSidecar.Hash("wonderland")}'
            """, directory: _directory, grpc: true);
        Assert.Equal("https", sidecar.GrpcAddress!.Scheme);

        using var channel = GrpcChannel.ForAddress(sidecar.GrpcAddress, new GrpcChannelOptions { HttpHandler = certificates.TrustingHandler() });
        var client = new ForecastSidecar.ForecastSidecarClient(channel);
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.ListTargetsAsync(new ListTargetsRequest()));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        var headers = new Metadata { { "Authorization", SecuredSidecar.Basic("alice", "wonderland").ToString() } };
        var targets = await client.ListTargetsAsync(new ListTargetsRequest(), headers);
        Assert.Equal("t", Assert.Single(targets.Targets).Name);

        // In the clear, the TLS port says nothing gRPC understands.
        using var plain = GrpcChannel.ForAddress(new UriBuilder(sidecar.GrpcAddress) { Scheme = "http" }.Uri);
        await Assert.ThrowsAsync<RpcException>(async () => await new ForecastSidecar.ForecastSidecarClient(plain).ListTargetsAsync(new ListTargetsRequest(), headers,
            deadline: DateTime.UtcNow.AddSeconds(10)));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
