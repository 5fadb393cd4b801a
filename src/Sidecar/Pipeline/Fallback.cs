using Sidecar.Host;
using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// The baseline a target serves until its first model is trained, with the buffers it reads history into
/// and writes forecasts to, reused from series to series. The first output is one step ahead (for the
/// anomaly score), then one per horizon. Only the inference loop uses it.
/// <para>
/// It waits until at least half of its range (<c>model.fallback_range</c>, 6h by default) holds data: a line
/// through the first two minutes of a series, extended an hour or six, is noise with a slope (it forecast a
/// load average of -15). PromQL's <c>predict_linear</c> answers from two samples; a forecast users alert on
/// should not.
/// </para>
/// </summary>
internal sealed class Fallback
{
    private readonly float[] _history;
    private readonly int[] _horizons;
    private readonly int _rangeSteps;

    public Fallback(string name, TargetSettings target)
    {
        Forecaster = BaselineCatalog.Create(name, target.StepMs, target.Model.FallbackRangeSteps);
        _history = new float[Math.Min(target.HistorySteps, BaselineCatalog.HistorySteps(name, target.StepMs, target.Model.FallbackRangeSteps))];
        _horizons = [1, .. target.Horizons.Select(h => h.Steps)];
        _rangeSteps = Math.Min(_history.Length, target.Model.FallbackRangeSteps);
        MinimumObservedSteps = Math.Max(2, (_rangeSteps + 1) / 2);
        Outputs = new float[_horizons.Length];
    }

    public IBaselineForecaster Forecaster { get; }

    public float[] Outputs { get; }

    /// <summary>How many of the range's steps must hold data before the fallback forecasts.</summary>
    public int MinimumObservedSteps { get; }

    /// <summary>Forecasts from the history ending at <paramref name="step"/>, which must hold data, as must half the range.</summary>
    /// <param name="line">
    /// The series' sliding fit, for <c>predict_linear</c> (the default), which moves its line one step at a
    /// time instead of refitting from the whole range; made here on first use. The other baselines refit.
    /// </param>
    public bool TryForecast(Series series, long step, ref SlidingPredictLinear? line)
    {
        if (Forecaster is PredictLinearForecaster)
        {
            if (line is null || line.WindowSteps != _history.Length)
                line = new SlidingPredictLinear(_history.Length);
            return TrySlidingForecast(series, step, line);
        }
        series.CopyHistory(step, _history);
        if (float.IsNaN(_history[^1]))
            return false;
        int observed = 0;
        foreach (float value in _history.AsSpan(_history.Length - _rangeSteps))
        {
            if (!float.IsNaN(value))
                observed++;
        }
        return observed >= MinimumObservedSteps && Forecaster.TryForecast(_history, _horizons, Outputs);
    }

    private bool TrySlidingForecast(Series series, long step, SlidingPredictLinear line)
    {
        line.MoveTo(series, step, _history);
        if (float.IsNaN(line.Newest))
            return false;
        // The range is the history's last _rangeSteps steps; the line's window holds one step more when it can.
        int observed = line.Count - (_rangeSteps < _history.Length && line.OldestObserved ? 1 : 0);
        if (observed < MinimumObservedSteps || !line.TryFit(out double valueAtLastStep, out double slopePerStep))
            return false;
        for (int i = 0; i < _horizons.Length; i++)
            Outputs[i] = (float)(valueAtLastStep + slopePerStep * _horizons[i]);
        return true;
    }
}
