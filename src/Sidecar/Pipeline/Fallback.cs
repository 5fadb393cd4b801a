using Sidecar.Host;
using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// The baseline a target serves until its first model is trained: it forecasts each series whose step
/// closed and publishes the forecast, with the buffers it reads history into and writes forecasts to, reused
/// from series to series. Only the inference loop uses it.
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

    // The one-step forecast, then one per horizon: written by each forecast, read at once.
    private float[] Outputs { get; }

    /// <summary>How many of the range's steps must hold data before the fallback forecasts.</summary>
    public int MinimumObservedSteps { get; }

    /// <summary>
    /// Forecasts <paramref name="series"/> from its history ending at <paramref name="step"/>, if it can, and
    /// publishes the forecast: the medians under the baseline's name, without an interval, and the one-step
    /// prediction the next step's residual is taken against (shown, not scored).
    /// </summary>
    public void Forecast(Series series, SeriesState state, long step, SeriesPublisher publisher)
    {
        if (!TryForecast(series, step, ref state.FallbackLine))
            return;
        float floor = ForecastDomain.FloorOf(series);
        for (int i = 0; i < Outputs.Length; i++)
            Outputs[i] = ForecastDomain.AtLeast(Outputs[i], floor);
        state.PendingStep = step + 1;
        state.PendingOneStep = Outputs[0];
        state.PendingLowerGap = state.PendingUpperGap = float.NaN;
        state.PendingFromModel = false;
        int horizons = Outputs.Length - 1;
        state.Forecast ??= new float[horizons * 3];
        state.ForecastStep = step;
        state.ForecastModel = Forecaster.Name;
        for (int h = 0; h < horizons; h++)
        {
            state.Forecast[h * 3] = float.NaN;
            state.Forecast[h * 3 + 1] = Outputs[h + 1];
            state.Forecast[h * 3 + 2] = float.NaN;
        }
        publisher.PublishMedians(series, state, Forecaster.Name);
    }

    /// <summary>Forecasts from the history ending at <paramref name="step"/>, which must hold data, as must half the range.</summary>
    /// <param name="line">
    /// The series' sliding fit, for <c>predict_linear</c> (the default), which moves its line one step at a
    /// time instead of refitting from the whole range; made here on first use. The other baselines refit.
    /// </param>
    private bool TryForecast(Series series, long step, ref SlidingPredictLinear? line)
    {
        if (Forecaster is PredictLinearForecaster)
        {
            // A series' state, and so its line, belongs to this pipeline, whose range never changes.
            return TrySlidingForecast(series, step, line ??= new SlidingPredictLinear(_history.Length));
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
