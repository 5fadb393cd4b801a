using System.Diagnostics;
using System.Globalization;

namespace Sidecar.Pipeline;

/// <summary>
/// Where a pipeline's steps have spent their time since <see cref="Reset"/>, part by part: the closed series
/// taken from the store, the planning loop with the passes after it (the scores, novelty, the intervals'
/// judging), the network's inputs, its forward calls, and the outputs' handling (forecasts, bands, the
/// combination, the quality ledger, the gauges); with the series-steps they covered. The clock is read once
/// per part and pass, never per series, so keeping them costs nothing measurable. <c>bench inference</c> prints them per
/// series, so the step's parts can be compared in the run that measures the step, without a build that
/// times them (issue 19). Touched by the inference loop only.
/// </summary>
internal sealed class StepPartTimes
{
    /// <summary>Series that closed a step and were planned, summed over the steps.</summary>
    public long SeriesSteps { get; private set; }

    public TimeSpan Take => Stopwatch.GetElapsedTime(0, _take);

    public TimeSpan Planning => Stopwatch.GetElapsedTime(0, _planning);

    public TimeSpan Inputs => Stopwatch.GetElapsedTime(0, _inputs);

    public TimeSpan Forward => Stopwatch.GetElapsedTime(0, _forward);

    public TimeSpan Outputs => Stopwatch.GetElapsedTime(0, _outputs);

    private long _take, _planning, _inputs, _forward, _outputs;

    public void AddTake(long started, long ended) => _take += ended - started;

    public void AddPlanning(long started, long ended, int series)
    {
        _planning += ended - started;
        SeriesSteps += series;
    }

    public void AddInputs(long started, long ended) => _inputs += ended - started;

    public void AddForward(long started, long ended) => _forward += ended - started;

    public void AddOutputs(long started, long ended) => _outputs += ended - started;

    public void Reset()
    {
        SeriesSteps = 0;
        _take = _planning = _inputs = _forward = _outputs = 0;
    }

    /// <summary>Each part in nanoseconds per series-step, as <c>take=… planning=… inputs=… forward=… outputs=…</c>.</summary>
    public string PerSeriesStep()
    {
        double series = Math.Max(1, SeriesSteps);
        string Ns(TimeSpan part) => (part.TotalNanoseconds / series).ToString("F1", CultureInfo.InvariantCulture);
        return $"take={Ns(Take)} planning={Ns(Planning)} inputs={Ns(Inputs)} forward={Ns(Forward)} outputs={Ns(Outputs)}";
    }
}
