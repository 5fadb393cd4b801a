using System.Net.Http.Headers;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Ingest;

/// <summary>
/// <c>demo.mode: auto</c>, the default the README's run command relies on: the demo source starts when no
/// Prometheus writes, and stops for good at the first real remote-write. <c>off</c> never starts it.
/// </summary>
public sealed class DemoModeTests
{
    private static string Config(string mode) => $$"""
        demo:
          mode: {{mode}}
        targets:
          - name: t
            selector: up
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    [Fact]
    public async Task AutoStartsTheDemoAndARealWriteStopsItForGood()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config("auto"));
        const string Active = "forecast_sidecar_demo_active", DemoSamples = "forecast_sidecar_samples_received_total{source=\"demo\"}";
        await sidecar.ScrapeUntilAsync(t => RegistryText.ValueOf(t, Active) == 1 && RegistryText.ValueOf(t, DemoSamples) > 0, "the demo to start writing");

        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(
            WriteRequests.Series("up", ("job", "real")).With((DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 1)))));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        (await sidecar.Http.PostAsync("/api/v1/write", content)).EnsureSuccessStatusCode();

        string stopped = await sidecar.ScrapeUntilAsync(t => RegistryText.ValueOf(t, Active) == 0, "the demo to stop");
        double samplesAtStop = RegistryText.ValueOf(stopped, DemoSamples);
        // The demo writes a live sample every 5 s; past two of those intervals, none came.
        await Task.Delay(TimeSpan.FromSeconds(11));
        string later = await sidecar.ScrapeAsync();
        Assert.Equal(samplesAtStop, RegistryText.ValueOf(later, DemoSamples));
        Assert.Equal(0, RegistryText.ValueOf(later, Active));
        Assert.Contains("forecast_sidecar_series_tracked{target=\"t\"} 1", later);
    }

    [Fact]
    public async Task OffNeverStartsIt()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config("off"));
        await Task.Delay(TimeSpan.FromSeconds(2));
        string text = await sidecar.ScrapeAsync();
        Assert.True(!(RegistryText.ValueOf(text, "forecast_sidecar_demo_active") > 0), "the demo ran with demo.mode: off");
        Assert.DoesNotContain("target=\"demo\"", text);
    }
}
