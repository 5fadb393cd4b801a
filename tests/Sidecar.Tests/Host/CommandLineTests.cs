using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sidecar.Host;
using Sidecar.Tests.Support;

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

    [Theory]
    [InlineData("--config.file", "a.yml")]
    [InlineData("--web.listen-address", "127.0.0.1:9999")]
    [InlineData("--grpc.listen-address", "[::1]:9202")]
    [InlineData("--web.config.file", "web.yml")]
    [InlineData("--storage.path", "/var/lib/sidecar")]
    [InlineData("--log.level", "warn")]
    [InlineData("--log.format", "json")]
    [InlineData("--web.enable-lifecycle", "true")]
    [InlineData("--shutdown.timeout", "2m")]
    public void BothFlagFormsGiveTheSameSettings(string flag, string value)
    {
        var joined = Parse($"{flag}={value}");
        Assert.Equal(joined, Parse(flag, value));
        Assert.NotEqual(Parse(), joined);
    }

    [Fact]
    public void AFlagGivenTwiceTakesItsLastValue()
    {
        var flags = Parse("--storage.path=/data", "--storage.path", "/elsewhere", "--web.enable-lifecycle", "--web.enable-lifecycle=false");
        Assert.Equal("/elsewhere", flags.StoragePath);
        Assert.False(flags.EnableLifecycle);
    }

    /// <summary>The image's ENTRYPOINT flags, followed by what docker compose and Kubernetes append, parse as one command line.</summary>
    [Fact]
    public void TheImagesEntrypointParsesWithTheArgumentsTheShippedDeploymentsAppend()
    {
        string dockerfile = File.ReadAllText(RepositoryRoot.File("Dockerfile"));
        string[] entrypoint = JsonSerializer.Deserialize<string[]>(Regex.Match(dockerfile, "(?m)^ENTRYPOINT (.+)$").Groups[1].Value)!;
        // ["dotnet", "prometheus-forecast-sidecar.dll", flags...]
        string[] imageFlags = entrypoint[2..];
        var compose = Yaml.LoadFile(RepositoryRoot.File("deploy", "docker-compose.yml")).At("services", "sidecar").Texts("command");
        var kubernetes = Assert.Single(Yaml.LoadFile(RepositoryRoot.File("deploy", "kubernetes", "statefulset.yaml")).Items("spec", "template", "spec", "containers")).Texts("args");

        var composed = Parse([.. imageFlags, .. compose]);
        Assert.Equal("/etc/forecast-sidecar/sidecar.yml", composed.ConfigFile);
        Assert.Equal("/data", composed.StoragePath);
        Assert.True(composed.EnableLifecycle);
        var deployed = Parse([.. imageFlags, .. kubernetes]);
        Assert.Equal("/etc/forecast-sidecar/sidecar.yml", deployed.ConfigFile);
        Assert.Equal(LogFormat.Json, deployed.LogFormat);
        Assert.Equal(TimeSpan.FromSeconds(100), deployed.ShutdownTimeout);
    }

    [Fact]
    public void TheDocumentedBacktestAndBenchCommandLinesStillParse()
    {
        using var directory = new TemporaryDirectory("command-line-");
        string csv = Path.Combine(directory.FullName, "a.csv");
        File.WriteAllText(csv, "timestamp,value\n");
        var definition = new CommandLineDefinition();
        var backtest = definition.ParseBacktestOptions(["--config", "sidecar.yml", "--horizons", "5m,1h", "--step", "5m", "--seed", "42",
            "--baseline-range", "6h", "--output-dir", "out/", directory.FullName]);
        Assert.Equal(new[] { csv }, backtest.Files);
        Assert.Equal(("sidecar.yml", "5m,1h", "5m", 42, "out/", TimeSpan.FromHours(6)),
            (backtest.ConfigPath, backtest.Horizons, backtest.Step, backtest.Seed, backtest.OutputDirectory, backtest.BaselineRange));
        var nab = definition.ParseBacktestOptions(["--nab-results", "/tmp/nab-score", "--nab-windows", "combined_windows.json", csv]);
        Assert.Equal(("/tmp/nab-score", "combined_windows.json"), (nab.NabResultsDirectory, nab.NabWindowsPath));

        string[][] benches =
        [
            ["bench", "store-memory", "--series=100000"],
            // As bench store-memory runs it in a process of its own.
            ["bench", "store-restore", "--dir", "/tmp/store-memory-x", "--now-ms", "1700000000000"],
            ["bench", "firehose"],
            ["bench", "inference", "--series=1024"],
            ["bench", "training", "--series=100", "--threads=1", "--days=2"],
            ["bench", "churn", "--pods=1000", "--generations=16", "--generation-hours=6"],
            // As bench/remote-write-vs-prometheus.sh runs it.
            ["bench", "remote-write", "--url=http://127.0.0.1:19201/api/v1/write", "--pid=1", "--duration=20s", "--series=2000",
                "--samples-per-series=1", "--concurrency=4", "--protocol=2.0", "--first-host=100000", "--start-ms=1700000000000"],
        ];
        foreach (string[] bench in benches)
        {
            var result = definition.Parse(bench);
            Assert.True(result.Errors.Count == 0, string.Join(' ', bench) + ": " + string.Join("; ", result.Errors.Select(e => e.Message)));
            Assert.Equal(bench[1], result.CommandResult.Command.Name);
        }
    }

    [Theory]
    [InlineData("--web.listen-adress=:9201", 1, "prometheus-forecast-sidecar: unknown flag --web.listen-adress; did you mean --web.listen-address?")]
    [InlineData("--storage-path /data", 1, "prometheus-forecast-sidecar: unknown flag --storage-path; did you mean --storage.path?")]
    [InlineData("--config sidecar.yml", 1, "prometheus-forecast-sidecar: unknown flag --config; did you mean --config.file?")]
    [InlineData("--retention.time=15d", 1, "prometheus-forecast-sidecar: unknown flag --retention.time\n")]
    [InlineData("chek config sidecar.yml", 1, "prometheus-forecast-sidecar: unknown command 'chek'; did you mean 'check'?")]
    [InlineData("backtest --horizon 5m a.csv", 2, "prometheus-forecast-sidecar backtest: unknown flag --horizon; did you mean --horizons?")]
    [InlineData("bench firehose --serie=10", 2, "prometheus-forecast-sidecar bench firehose: unknown flag --serie; did you mean --series?")]
    [InlineData("bench firehos", 2, "prometheus-forecast-sidecar bench: unknown command 'firehos'; did you mean 'firehose'?")]
    [InlineData("check config --hlep", 2, "prometheus-forecast-sidecar check config: unknown flag --hlep; did you mean --help?")]
    public async Task AnUnknownFlagOrCommandNamesTheNearestValidOne(string args, int exitCode, string message)
    {
        var (code, output, error) = await CommandLineRun.InvokeAsync(args.Split(' '));
        Assert.Equal(exitCode, code);
        Assert.Equal("", output);
        Assert.Contains(message.Replace("\\n", "\n", StringComparison.Ordinal), error);
        Assert.EndsWith("--help'.\n", error);
    }
}
