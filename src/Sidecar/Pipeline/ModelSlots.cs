using System.Collections.Concurrent;
using Sidecar.Model;

namespace Sidecar.Pipeline;

/// <summary>
/// The models serving a target: the target-wide one, any per-series ones (<c>model.scope: series</c>), and
/// those the training thread has published but the inference loop has not swapped in yet. Each model swapped
/// in gets a generation no earlier one had, so a series can tell whether its scaler and state belong to it.
/// </summary>
/// <remarks>
/// <see cref="Publish"/> may be called from the training thread; everything else runs on the inference loop,
/// under the pipeline's own lock.
/// </remarks>
internal sealed class ModelSlots : IDisposable
{
    private readonly Dictionary<string, ModelSlot> _series = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string? SeriesKey, TrainedModel Model)> _published = new();
    // Orders Publish (training thread) against Retire, so no model is handed to a retired pipeline and leaked.
    private readonly Lock _publishing = new();
    private int _generation;

    /// <summary>The target-wide model; null before the first one is swapped in.</summary>
    public ModelSlot? Target { get; private set; }

    /// <summary>Set once by <see cref="Retire"/>: models published after it are disposed at once.</summary>
    public bool Retired { get; private set; }

    /// <summary>Hands a freshly trained model over, for the whole target or for one series (<paramref name="seriesKey"/>).</summary>
    public void Publish(TrainedModel model, string? seriesKey)
    {
        lock (_publishing)
        {
            if (Retired)
                model.Dispose();
            else
                _published.Enqueue((seriesKey, model));
        }
    }

    /// <summary>Takes the oldest published model not swapped in yet.</summary>
    public bool TryTakePublished(out (string? SeriesKey, TrainedModel Model) published) => _published.TryDequeue(out published);

    /// <summary>Puts <paramref name="model"/> in service under a new generation, disposing the one it replaces.</summary>
    public ModelSlot SwapIn(TrainedModel model, string? seriesKey)
    {
        var slot = new ModelSlot(model, ++_generation, seriesKey);
        if (seriesKey is null)
        {
            Target?.Dispose();
            Target = slot;
        }
        else
        {
            if (_series.Remove(seriesKey, out var old))
                old.Dispose();
            _series[seriesKey] = slot;
        }
        return slot;
    }

    /// <summary>
    /// The model a series is forecast with: its own, or the target's; null before there is one. Most targets
    /// have no per-series models, and then the series' label text isn't hashed at every step.
    /// </summary>
    public ModelSlot? For(SeriesState state) =>
        _series.Count == 0 ? Target : _series.GetValueOrDefault(state.Key) ?? Target;

    /// <summary>Disposes the series' own model, if it has one (the series was forgotten).</summary>
    public void DropSeries(string seriesKey)
    {
        if (_series.Remove(seriesKey, out var own))
            own.Dispose();
    }

    /// <summary>From now on, models published are disposed instead of queued.</summary>
    public void Retire()
    {
        lock (_publishing)
            Retired = true;
    }

    /// <summary>Retires, and disposes every model in service or waiting.</summary>
    public void Dispose()
    {
        Retire();
        Target?.Dispose();
        Target = null;
        foreach (var slot in _series.Values)
            slot.Dispose();
        _series.Clear();
        while (_published.TryDequeue(out var published))
            published.Model.Dispose();
    }
}
