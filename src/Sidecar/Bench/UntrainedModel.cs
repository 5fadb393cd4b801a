using Sidecar.Host;
using Sidecar.Model;

namespace Sidecar.Bench;

/// <summary>
/// A network of a target's shape with its initial weights, described as a trained model: what a bench (or
/// a test of the pipeline's cost) publishes to a pipeline to measure it without training first. Its scalers
/// are left to the pipeline (fitted on each series' history) and its intervals are the uncalibrated bands.
/// </summary>
internal static class UntrainedModel
{
    public static TrainedModel For(TargetSettings target, int hiddenSize, int layers)
    {
        var layout = new FeatureLayout(target.Model.Features, target.StepMs);
        int[] heads = ForecastHeads.StepsFor(target);
        var network = new LstmNetwork(layout.Count, hiddenSize, layers, heads.Length, target.Model.Quantiles.Count, 1);
        network.eval();
        var description = new ModelDescription("untrained", heads, target.Model.Quantiles, 1,
            new Dictionary<string, RobustScaler>(), 0, DateTimeOffset.UtcNow, 0, 0, 0, [.. Enumerable.Repeat(1f, heads.Length * 2)]);
        return new TrainedModel(network, description);
    }
}
