using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// A series the pipeline's step processed, as its planning loop hands it on to the pass after it
/// (<see cref="TargetPipeline"/>): what the step read of it, whether its residual is scored and the
/// forecast's surprise once it is, and what to publish for it without the network. Used by the inference loop only.
/// </summary>
internal struct SteppedSeries(Series series, SeriesState state, StepReads reads, bool scored)
{
    public readonly Series Series = series;

    /// <summary>The series' id, read while the planning loop has the series in cache: the pass after it needs no more of the series in steady state.</summary>
    public readonly int Id = series.Id;

    public readonly SeriesState State = state;

    public readonly StepReads Reads = reads;

    /// <summary>Whether the step scores the series' residual (<see cref="SeriesState.LastResidual"/>), in the pass after the planning loop.</summary>
    public readonly bool Scored = scored;

    /// <summary>The forecast's surprise at the step, for novelty, once scored; NaN where the step doesn't score it.</summary>
    public double Surprise = double.NaN;

    public SteppedPublication Publication;
}

/// <summary>What the step publishes for a series after its novelty, where the network makes no forecast for it.</summary>
internal enum SteppedPublication
{
    /// <summary>Nothing: the network's forecast is published after the forward call, or none is due.</summary>
    None,

    /// <summary>The fallback's forecast: no model serves the series yet.</summary>
    Fallback,

    /// <summary>The forecast saved with a state restored at this very step, not yet on the gauges.</summary>
    RestoredForecast,
}
