namespace Sidecar.Model;

/// <summary>
/// A trained network with what inference needs to use it: the steps ahead of each output head and the
/// scalers fitted for the series it was trained on. Immutable once published; owned by the inference
/// loop, which disposes it when a newer model replaces it.
/// </summary>
internal sealed class TrainedModel(
    LstmNetwork network,
    IReadOnlyList<int> headSteps,
    IReadOnlyDictionary<int, MinMaxScaler> scalers,
    double validationLoss,
    DateTimeOffset trainedAt) : IDisposable
{
    public LstmNetwork Network { get; } = network;

    /// <summary>Steps ahead predicted by each output head; head 0 is always one step.</summary>
    public IReadOnlyList<int> HeadSteps { get; } = headSteps;

    /// <summary>Scalers by series id, fitted on the training part of each series' history.</summary>
    public IReadOnlyDictionary<int, MinMaxScaler> Scalers { get; } = scalers;

    public double ValidationLoss { get; } = validationLoss;

    public DateTimeOffset TrainedAt { get; } = trainedAt;

    public void Dispose() => Network.Dispose();
}
