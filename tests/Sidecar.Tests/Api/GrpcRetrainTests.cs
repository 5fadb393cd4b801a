using Grpc.Core;
using Sidecar.Api.Grpc.V1;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Api;

/// <summary>Retrain through the gRPC API starts a training run that the schedule alone would not (fit_every is an hour).</summary>
[Collection(GrpcSidecarCollection.Name)]
public sealed class GrpcRetrainTests(GrpcSidecar fixture)
{
    [Fact]
    public async Task RetrainRunsTrainingAgainAndRefusesUnknownTargets()
    {
        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.RetrainAsync(new RetrainRequest { Target = "nope" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);

        // Target u, not t: its new model swaps in without touching the series the other tests watch.
        ModelStatus first = null!;
        await Poll.UntilAsync(async () =>
        {
            first = await StatusOf("u");
            return first.LastRunAt is not null && first.Phase == TrainingPhase.Idle;
        }, "target u's first training run");

        var response = await fixture.Client.RetrainAsync(new RetrainRequest { Target = "u" });
        Assert.True(response.Accepted);

        ModelStatus again = null!;
        await Poll.UntilAsync(async () =>
        {
            again = await StatusOf("u");
            return again.LastRunAt is not null && again.LastRunAt.ToDateTimeOffset() > first.LastRunAt.ToDateTimeOffset() && again.Phase == TrainingPhase.Idle;
        }, "a second training run of target u");
        Assert.False(again.RetrainRequested, "the request was taken by that run");
        Assert.Contains(again.LastResult, new[] { "success", "kept" });
        string metrics = await fixture.Sidecar.ScrapeAsync();
        Assert.Equal(2, TrainingRuns(metrics, "u"));
    }

    private async Task<ModelStatus> StatusOf(string target) =>
        (await fixture.Client.ListTargetsAsync(new ListTargetsRequest())).Targets.Single(t => t.Name == target).Model;

    private static double TrainingRuns(string metrics, string target) =>
        metrics.Split('\n')
            .Where(line => line.StartsWith($"forecast_sidecar_training_runs_total{{target=\"{target}\",", StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
