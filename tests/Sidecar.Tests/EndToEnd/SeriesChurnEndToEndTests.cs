using System.Net;
using System.Net.Http.Headers;
using Sidecar.Store.Snapshots;
using Sidecar.Tests.Support;
using Xunit.Abstractions;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// A fleet that redeploys: generation after generation of new <c>pod</c> label values through the real
/// remote-write endpoint, many more label sets in all than <c>limits.max_series</c>. Old generations are
/// forgotten past <c>forget_after</c>, so no new series is refused and what the sidecar holds stays bounded.
/// </summary>
public sealed class SeriesChurnEndToEndTests(ITestOutputHelper output)
{
    private const int MaxSeries = 20, PodsPerGeneration = 5, Generations = 16;

    private const string Config = """
        limits:
          max_series: 20
        demo:
          mode: off
        storage:
          snapshot_interval: 1s
        targets:
          - name: fleet
            selector: 'container_load'
            step: 1s
            horizons: [5s]
            history: 10m
            series_timeout_steps: 1
            forget_after: 2s
        """;

    [Fact]
    public async Task GenerationsOfPodsNeverFillMaxSeriesAndWhatIsHeldStaysBounded()
    {
        await using var sidecar = await RunningSidecar.StartAsync(Config);
        string data = Path.Combine(Path.GetDirectoryName(sidecar.ConfigPath)!, "data");
        double mostTracked = 0;
        int mostInSnapshot = 0;
        // A generation writes for 1.5 s, then goes silent for good: at most three are held at once (15 series).
        for (int generation = 0; generation < Generations; generation++)
        {
            for (int beat = 0; beat < 3; beat++)
            {
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                var series = Enumerable.Range(0, PodsPerGeneration)
                    .Select(p => WriteRequests.Series("container_load", ("pod", $"web-{generation}-{p}")).With((now, 1 + p)))
                    .ToArray();
                var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", content)).StatusCode);
                await Task.Delay(500);
            }
            string text = await sidecar.ScrapeAsync();
            mostTracked = Math.Max(mostTracked, RegistryText.ValueOf(text, "forecast_sidecar_series_tracked{target=\"fleet\"}", absent: 0));
            Assert.Equal(0, RegistryText.ValueOf(text, "forecast_sidecar_samples_dropped_total{reason=\"series_limit\"}", absent: 0));
            if (SnapshotFile.Read(data) is { } snapshot)
                mostInSnapshot = Math.Max(mostInSnapshot, snapshot.Count());
        }

        // Every generation but the last few was forgotten; none of their samples was refused.
        string final = await sidecar.ScrapeAsync();
        output.WriteLine($"most tracked {mostTracked}, most in a snapshot {mostInSnapshot}\n"
            + string.Join('\n', final.Split('\n').Where(l => l.StartsWith("forecast_sidecar_series", StringComparison.Ordinal))));
        Assert.DoesNotContain("forecast_sidecar_series_refused_total{", final);
        Assert.InRange(mostTracked, PodsPerGeneration, MaxSeries);
        Assert.InRange(mostInSnapshot, 1, MaxSeries);
        Assert.InRange(RegistryText.ValueOf(final, "forecast_sidecar_series_forgotten_total{target=\"fleet\"}", absent: 0), Generations * PodsPerGeneration - MaxSeries, Generations * PodsPerGeneration);
        Assert.Equal(Generations * 3 * PodsPerGeneration, RegistryText.ValueOf(final, "forecast_sidecar_samples_received_total{source=\"remote_write\"}", absent: 0));
    }
}
