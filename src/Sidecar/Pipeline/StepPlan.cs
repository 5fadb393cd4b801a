using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// What the pipeline's step planned for one series before the forward call: the model slot, the steps to
/// feed (<paramref name="From"/> to <paramref name="Last"/>; a fresh start warms a state up on a whole
/// window), and what the step already read of the series.
/// </summary>
/// <param name="Id">The series' id and <paramref name="Floor"/> its forecasts' floor (<see cref="ForecastDomain"/>), read
/// while planning, when the series is in cache: the steps after the forward call then don't load it again.</param>
internal readonly record struct StepPlan(Series Series, SeriesState State, ModelSlot Slot, long From, long Last, bool Fresh, StepReads Reads, int Id, float Floor)
{
    public int Steps => (int)(Last - From + 1);
}
