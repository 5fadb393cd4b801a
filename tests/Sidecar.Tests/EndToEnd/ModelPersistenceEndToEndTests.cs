using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Sidecar.Model;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// A trained model is saved in the data directory and used at once after a restart, without
/// retraining; a config change that alters the model makes the saved one unusable and a retrain follows.
/// </summary>
public sealed class ModelPersistenceEndToEndTests
{
    private static string Config(int hiddenSize) => $"""
        demo:
          mode: off
        storage:
          snapshot_interval: 1h
        targets:
          - name: t
            selector: 'persist_metric'
            step: 1s
            horizons: [2s, 5s]
            history: 10m
            model:
              window: 8
              hidden_size: {hiddenSize}
              layers: 2
              max_epochs: 3
              min_history: 90s
              fit_window: 10m
              fit_every: 1h
        """;

    [Fact]
    public async Task TheSavedModelServesAfterARestartUntilTheConfigChanges()
    {
        string directory = Directory.CreateTempSubdirectory("sidecar-models-").FullName;
        string modelPath = ModelFile.PathFor(Path.Combine(directory, "data"), "t");
        try
        {
            DateTimeOffset trainedAt;
            await using (var first = await RunningSidecar.StartAsync(Config(8), directory: directory))
            {
                await WriteHistory(first, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000 * 1000 - 300_000);
                await Poll.UntilAsync(() => Task.FromResult(File.Exists(modelPath)), "the first model to be saved");
                using var saved = ModelFile.Read(modelPath);
                trainedAt = saved.Description.TrainedAt;
            }

            await using (var second = await RunningSidecar.StartAsync(Config(8), directory: directory))
            {
                // Forecasts come from the saved model: no training run happens, and it is the one in use.
                await Poll.UntilAsync(async () => (await second.ScrapeAsync()).Contains("model=\"lstm\"", StringComparison.Ordinal), "forecasts from the saved model");
                string metrics = await second.ScrapeAsync();
                Assert.DoesNotContain("forecast_sidecar_training_runs_total{", metrics);
                Assert.Equal(trainedAt.ToUnixTimeMilliseconds() / 1000.0, LastTrained(metrics), 3);
            }

            await using (var third = await RunningSidecar.StartAsync(Config(6), directory: directory))
            {
                await Poll.UntilAsync(async () => (await third.ScrapeAsync()).Contains("forecast_sidecar_training_runs_total{target=\"t\",result=\"success\"}", StringComparison.Ordinal),
                    "a retrain under the changed config");
                using var retrained = ModelFile.Read(modelPath);
                Assert.NotEqual(trainedAt, retrained.Description.TrainedAt);
                Assert.Equal(6, retrained.Network.HiddenSize);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WriteHistory(RunningSidecar sidecar, long t0)
    {
        var series = WriteRequests.Series("persist_metric", ("instance", "p"));
        for (int i = 0; i < 290; i++)
            series.With((t0 + i * 1000L, 50 + 10 * Math.Sin(i / 5.0)));
        var content = new ByteArrayContent(WriteRequests.Snappy(WriteRequests.Encode(series)));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-protobuf");
        content.Headers.ContentEncoding.Add("snappy");
        Assert.Equal(HttpStatusCode.NoContent, (await sidecar.Http.PostAsync("/api/v1/write", content)).StatusCode);
    }

    private static double LastTrained(string metrics)
    {
        var match = Regex.Match(metrics, "forecast_sidecar_model_last_trained_timestamp_seconds\\{target=\"t\"\\} (\\S+)");
        Assert.True(match.Success, "no last-trained gauge");
        return double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }
}
