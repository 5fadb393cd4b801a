using System.Net;
using Sidecar.Host;

namespace Sidecar.Tests.Host;

public sealed class CommandLineTests
{
    private static ServeFlags Parse(params string[] args) => new CommandLineDefinition().ParseServeFlags(args);

    [Fact]
    public void ParsesPrometheusStyleFlags()
    {
        var flags = Parse("--config.file=a.yml", "--web.listen-address", "127.0.0.1:9999", "--log.level=debug", "--storage.path=/tmp/x");
        Assert.Equal("a.yml", flags.ConfigFile);
        Assert.Equal("127.0.0.1:9999", flags.ListenAddress);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Debug, flags.LogLevel);
        Assert.Equal("/tmp/x", flags.StoragePath);
        Assert.Null(flags.GrpcListenAddress); // the gRPC port is opened only when asked for
        Assert.Equal("127.0.0.1:9202", Parse("--grpc.listen-address=127.0.0.1:9202").GrpcListenAddress);
        Assert.Equal((IPAddress.Any, 9201), ServeFlags.ParseListenAddress(":9201"));
        Assert.Equal((IPAddress.IPv6Loopback, 1), ServeFlags.ParseListenAddress("[::1]:1"));
    }

    [Fact]
    public void ParsesTheLifecycleAndLogFlags()
    {
        var defaults = Parse();
        Assert.Equal(LogFormat.Logfmt, defaults.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(30), defaults.ShutdownTimeout);
        Assert.False(defaults.EnableLifecycle);

        var flags = Parse("--log.format=json", "--shutdown.timeout", "1m30s", "--web.enable-lifecycle");
        Assert.Equal(LogFormat.Json, flags.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(90), flags.ShutdownTimeout);
        Assert.True(flags.EnableLifecycle);
        Assert.False(Parse("--web.enable-lifecycle=false").EnableLifecycle);
    }

    [Theory]
    [InlineData("--log.format=xml", "--log.format 'xml' is not one of logfmt, json")]
    [InlineData("--shutdown.timeout=soon", "--shutdown.timeout 'soon'")]
    [InlineData("--shutdown.timeout=0s", "--shutdown.timeout '0s'")]
    [InlineData("--web.enable-lifecycle=yes", "--web.enable-lifecycle 'yes'")]
    [InlineData("--nope=1", "unknown flag --nope")]
    [InlineData("--log.level=loud", "--log.level 'loud'")]
    [InlineData("--web.listen-address=9201", "is not host:port")]
    [InlineData("--grpc.listen-address=9202", "--grpc.listen-address '9202' is not host:port")]
    [InlineData("--config.file", "needs a value")]
    [InlineData("positional", "unexpected argument")]
    public void RejectsBadFlags(string arg, string message)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(arg));
        Assert.Contains(message, e.Message);
    }
}
