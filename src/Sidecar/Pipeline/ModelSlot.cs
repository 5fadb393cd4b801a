using Sidecar.Model;

namespace Sidecar.Pipeline;

/// <summary>
/// A model in use by the pipeline with the streaming states that belong to it: one for the whole target,
/// or, with <c>model.scope: series</c>, one per series. <see cref="Generation"/> is unique across the
/// pipeline's slots, so a series can tell whether what it holds (scaler, state) came from this model.
/// </summary>
internal sealed class ModelSlot(TrainedModel model, int generation, string? seriesKey) : IDisposable
{
    public TrainedModel Model { get; } = model;

    public StreamingStates States { get; } = new(model.Network.Layers, model.Network.HiddenSize);

    public int Generation { get; } = generation;

    /// <summary>The one series this model is for; null for a target-wide model.</summary>
    public string? SeriesKey { get; } = seriesKey;

    /// <summary>Where a series' state lives in <see cref="States"/>: a per-series model has only one.</summary>
    public int StateIndex(int seriesId) => SeriesKey is null ? seriesId : 0;

    public void Dispose()
    {
        States.Dispose();
        Model.Dispose();
    }
}
