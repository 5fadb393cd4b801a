using Sidecar.Host;
using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// The baseline a target serves until its first model is trained, with the buffers it reads history into
/// and writes forecasts to, reused from series to series. The first output is one step ahead (for the
/// anomaly score), then one per horizon. Only the inference loop uses it.
/// </summary>
internal sealed class Fallback
{
    private readonly float[] _history;
    private readonly int[] _horizons;

    public Fallback(string name, TargetSettings target)
    {
        Forecaster = BaselineCatalog.Create(name, target.StepMs, target.Model.FallbackRangeSteps);
        _history = new float[Math.Min(target.HistorySteps, BaselineCatalog.HistorySteps(name, target.StepMs, target.Model.FallbackRangeSteps))];
        _horizons = [1, .. target.Horizons.Select(h => h.Steps)];
        Outputs = new float[_horizons.Length];
    }

    public IBaselineForecaster Forecaster { get; }

    public float[] Outputs { get; }

    /// <summary>Forecasts from the history ending at <paramref name="step"/>, which must hold data.</summary>
    public bool TryForecast(Series series, long step)
    {
        series.CopyHistory(step, _history);
        return !float.IsNaN(_history[^1]) && Forecaster.TryForecast(_history, _horizons, Outputs);
    }
}
