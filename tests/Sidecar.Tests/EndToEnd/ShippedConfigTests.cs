using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>The files users copy must be valid for the real Prometheus tools.</summary>
public sealed class ShippedConfigTests
{
    [Fact]
    public async Task PrometheusYmlPassesPromtoolCheckConfig()
    {
        var (exitCode, output) = await PrometheusServer.PromtoolAsync("check", "config", RepositoryRoot.File("prometheus.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output);
    }

    [Fact]
    public async Task ShippedRulesPassPromtoolCheckRules()
    {
        foreach (string rules in Directory.GetFiles(RepositoryRoot.File("rules"), "*.yml"))
        {
            var (exitCode, output) = await PrometheusServer.PromtoolAsync("check", "rules", rules);
            Assert.True(exitCode == 0, output);
        }
    }

    [Fact]
    public async Task ShippedRulesPassTheirPromtoolUnitTests()
    {
        string[] tests = Directory.GetFiles(RepositoryRoot.File("rules", "tests"), "*.yml");
        Assert.NotEmpty(tests);
        foreach (string test in tests)
        {
            var (exitCode, output) = await PrometheusServer.PromtoolAsync("test", "rules", test);
            Assert.True(exitCode == 0, output);
            Assert.Contains("SUCCESS", output);
        }
    }

    [Fact]
    public void DefaultSidecarConfigLoads()
    {
        var settings = Sidecar.Host.ConfigLoader.LoadFile(RepositoryRoot.File("src", "Sidecar", "sidecar.yml"));
        Assert.NotEmpty(settings.Targets);
    }
}
