using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// A graceful restart keeps the history, and the scoring state beside it: the shutdown snapshot is restored
/// before ingest resumes.
/// </summary>
public sealed class RestartEndToEndTests
{
    private const string Config = """
        demo:
          mode: off
        storage:
          snapshot_interval: 1h
        targets:
          - name: t
            selector: 'test_restart'
            step: 1s
            horizons: [5s]
            history: 10m
        """;

    [Fact]
    public async Task HistoryAndScoringStateSurviveAGracefulRestart()
    {
        string directory = Directory.CreateTempSubdirectory("sidecar-restart-").FullName;
        long t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 60_000;
        try
        {
            await using (var first = await RunningSidecar.StartAsync(Config, directory: directory))
            {
                var series = WriteRequests.Series("test_restart", ("job", "r"));
                for (int i = 0; i < 30; i++)
                    series.With((t0 + i * 1000L, i));
                var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
                content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
                content.Headers.ContentEncoding.Add("snappy");
                Assert.Equal(HttpStatusCode.NoContent, (await first.Http.PostAsync("/api/v1/write", content)).StatusCode);
                var pipeline = first.Service<PipelineSet>().Current[0];
                for (int i = 0; i < 100 && pipeline.ExportScores().Series.Count == 0; i++)
                    await Task.Delay(100);
                Assert.Single(pipeline.ExportScores().Series);
            }
            Assert.True(File.Exists(Path.Combine(directory, "data", "snapshot.bin")));
            Assert.True(File.Exists(Path.Combine(directory, "data", "states", "t.scores")));

            var log = new CapturedLog();
            await using var second = await RunningSidecar.StartAsync(Config, directory: directory, extraArgs: ["--log.level=info"],
                logging: builder => builder.AddProvider(log));
            var restored = Assert.Single(second.Service<SeriesStore>().Targets[0].Snapshot());
            var history = new float[30];
            restored.CopyHistory(t0 / 1000 + 29, history);
            Assert.Equal(Enumerable.Range(0, 30).Select(i => (float)i), history);
            for (int i = 0; i < 100 && !log.Text.Contains("Loaded the scoring state of 1 series of target t"); i++)
                await Task.Delay(100);
            Assert.Contains("Loaded the scoring state of 1 series of target t", log.Text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
