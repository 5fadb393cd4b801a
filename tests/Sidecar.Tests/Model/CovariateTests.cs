using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Model;

/// <summary>Covariates: other series of the target, matched by labels, fed as inputs.</summary>
public sealed class CovariateTests
{
    private static readonly CovariateSettings LeadBy = new(["lead"], ["instance"]);

    // "follow" repeats "lead" one step later: its next value is unknowable from its own past and
    // exactly known from lead's present.
    private static (float[] Lead, float[] Follow) LeadAndFollow(int length, int seed)
    {
        var random = new Random(seed);
        var lead = new float[length];
        var follow = new float[length];
        for (int i = 0; i < length; i++)
        {
            lead[i] = (float)(random.NextDouble() * 100);
            follow[i] = i == 0 ? 50 : lead[i - 1];
        }
        return (lead, follow);
    }

    [Fact]
    public void ACovariateThatLeadsTheSeriesIsLearned()
    {
        double Loss(bool withCovariate)
        {
            var features = new FeatureSettings(false, false, false, withCovariate ? LeadBy : null);
            var data = new SequenceSet(new FeatureLayout(features, 60_000), [1], TrainerTests.Settings.Window);
            for (int s = 0; s < 3; s++)
            {
                var (lead, follow) = LeadAndFollow(1000, s);
                var leadHistory = new SeriesHistory($"lead{s}", 0, lead, 0, 0.2);
                var followHistory = new SeriesHistory($"follow{s}", 0, follow, 0, 0.2);
                if (withCovariate)
                {
                    leadHistory.Covariates = [leadHistory];
                    followHistory.Covariates = [leadHistory];
                }
                // Only "follow" is trained on; "lead" is there as its input.
                data.Add(followHistory);
            }
            var settings = TrainerTests.Settings with { Features = features, MaxEpochs = 20 };
            var (model, report) = Trainer.Train(data, settings, "h", null, CancellationToken.None);
            model.Dispose();
            return report.ValidationLoss;
        }

        double without = Loss(withCovariate: false), with = Loss(withCovariate: true);
        Assert.True(with < without * 0.6, $"validation loss with the covariate {with:G4}, without {without:G4}");
    }

    [Fact]
    public async Task TrainingAndInferenceFindTheCovariateByItsLabels()
    {
        var settings = TestSettings.SmallTarget(selector: "{__name__=~\"lead|follow\"}", extraModel: "      features:\n        covariates: [lead]\n        covariates_by: [instance]\n");
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var store = new SeriesStore(settings, time);
        long t0 = time.GetUtcNow().ToUnixTimeMilliseconds() - 400_000;
        foreach (string instance in new[] { "a", "b" })
        {
            var (lead, follow) = LeadAndFollow(300, instance[0]);
            var leadSeries = WriteRequests.Series("lead", ("instance", instance));
            var followSeries = WriteRequests.Series("follow", ("instance", instance));
            for (int i = 0; i < 300; i++)
            {
                leadSeries.With((t0 + i * 1000L, lead[i]));
                followSeries.With((t0 + i * 1000L, follow[i]));
            }
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(leadSeries, followSeries));
        }

        var data = TrainingData.From(store.Targets[0]);
        var followA = data.Series.Single(s => s.Key == "follow{instance=\"a\"}");
        Assert.Equal("lead{instance=\"a\"}", Assert.Single(followA.Covariates)!.Key);

        var registry = Metrics.NewCustomRegistry();
        using var pipeline = new TargetPipeline(store.Targets[0], TestGauges.For(registry), new SelfMetrics(registry), time, NullLogger.Instance);
        pipeline.Publish(Trainer.Train(data, settings.Targets[0].Model, "h", null, CancellationToken.None).Model);
        pipeline.Process();
        string text = await RegistryText.ScrapeAsync(registry);
        Assert.Contains("predicted_value{instance=\"b\",metric=\"follow\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", text);
        Assert.Contains("predicted_value{instance=\"a\",metric=\"lead\",target=\"t\",horizon=\"2s\",model=\"lstm\"}", text);
    }
}
