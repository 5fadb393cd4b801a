namespace Sidecar.Model;

/// <summary>
/// A trained network with everything needed to use it, save it and judge whether it still fits the
/// config: its inputs, its heads and quantiles, the scalers of the series it was trained on, and where
/// it came from. Immutable once published; owned by the inference loop, which disposes it when a newer
/// model replaces it.
/// </summary>
internal sealed class TrainedModel(LstmNetwork network, ModelDescription description) : IDisposable
{
    public LstmNetwork Network { get; } = network;

    public ModelDescription Description { get; } = description;

    public IReadOnlyList<int> HeadSteps => Description.HeadSteps;

    public int MedianIndex => Description.MedianIndex;

    public int QuantileCount => Description.Quantiles.Count;

    /// <summary>An independent copy, so the inference loop and the scheduler never share one network.</summary>
    public TrainedModel Clone()
    {
        var network = new LstmNetwork(Network.Features, Network.HiddenSize, Network.Layers, HeadSteps.Count, QuantileCount, MedianIndex);
        network.load_state_dict(Network.state_dict());
        network.eval();
        return new TrainedModel(network, Description);
    }

    public void Dispose() => Network.Dispose();
}

/// <summary>What is known about a trained network besides its weights; saved beside them.</summary>
/// <param name="ConfigHash">Hash of every setting the network depends on (<see cref="ModelConfigHash"/>).</param>
/// <param name="HeadSteps">Steps ahead of each output head; head 0 is always one step.</param>
/// <param name="Scalers">By series key, fitted on the training part of each series.</param>
/// <param name="ValidationLoss">Mean pinball loss on the validation part, in scaled units.</param>
/// <param name="FirstStep">The oldest step the run trained on.</param>
/// <param name="LastStep">The newest step the run saw (validation included).</param>
/// <param name="IntervalScales">Per head, the stretch of the lowest and the highest quantile's distance
/// from the median (<see cref="IntervalCalibration"/>): <c>[head · 2]</c> lower, <c>[head · 2 + 1]</c> upper.</param>
internal sealed record ModelDescription(
    string ConfigHash,
    IReadOnlyList<int> HeadSteps,
    IReadOnlyList<double> Quantiles,
    int MedianIndex,
    IReadOnlyDictionary<string, RobustScaler> Scalers,
    double ValidationLoss,
    DateTimeOffset TrainedAt,
    long FirstStep,
    long LastStep,
    int Epochs,
    IReadOnlyList<float> IntervalScales);
