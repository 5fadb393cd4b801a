using Prometheus;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>
/// The sidecar's own metrics about one target's pipeline (<see cref="SelfMetrics"/>), each labelled child
/// looked up once, when first set, rather than by its label values at every step: twelve lookups a step
/// otherwise, each a label array and a dictionary search (issue 19). A child is made only when first set, so
/// nothing is exposed before it has a value (the forecast quality before any outcome, say). Used under the
/// pipeline's lock; <see cref="Remove"/> takes everything off /metrics when the pipeline is retired, and
/// this instance is not used after.
/// </summary>
internal sealed class TargetMetrics(SelfMetrics metrics, TargetSettings settings)
{
    private readonly Gauge.Child?[] _mae = new Gauge.Child?[settings.Horizons.Count];
    private readonly Gauge.Child?[] _mase = new Gauge.Child?[settings.Horizons.Count];
    private readonly Gauge.Child?[] _coverage = new Gauge.Child?[settings.Horizons.Count];
    private Gauge.Child? _tracked, _exposed;
    private Histogram.Child? _inference;

    public void SetSeries(int tracked, int exposed)
    {
        (_tracked ??= metrics.SeriesTracked.WithLabels(settings.Name)).Set(tracked);
        (_exposed ??= metrics.SeriesExposed.WithLabels(settings.Name)).Set(exposed);
    }

    public void ObserveInference(TimeSpan elapsed) =>
        (_inference ??= metrics.InferenceDuration.WithLabels(settings.Name)).Observe(elapsed.TotalSeconds);

    /// <summary>Each horizon's forecast quality so far; a horizon without outcomes yet stays off /metrics.</summary>
    public void SetQuality(ForecastQuality quality)
    {
        for (int h = 0; h < _mae.Length; h++)
        {
            if (quality.Outcomes(h) == 0)
                continue;
            string horizon = settings.Horizons[h].Label;
            (_mae[h] ??= metrics.ForecastMae.WithLabels(settings.Name, horizon)).Set(quality.MeanAbsoluteError(h));
            SetOrHide(_mase[h] ??= metrics.ForecastMase.WithLabels(settings.Name, horizon), quality.MeanAbsoluteScaledError(h));
            SetOrHide(_coverage[h] ??= metrics.ForecastCoverage.WithLabels(settings.Name, horizon), quality.Coverage(h));
        }
    }

    /// <summary>Takes the target's metrics off /metrics, so Prometheus marks them stale.</summary>
    public void Remove()
    {
        metrics.SeriesTracked.RemoveLabelled(settings.Name);
        metrics.SeriesExposed.RemoveLabelled(settings.Name);
        foreach (var horizon in settings.Horizons)
        {
            metrics.ForecastMae.RemoveLabelled(settings.Name, horizon.Label);
            metrics.ForecastMase.RemoveLabelled(settings.Name, horizon.Label);
            metrics.ForecastCoverage.RemoveLabelled(settings.Name, horizon.Label);
        }
    }

    // An unknown value (no interval yet) is no series at all, not a sentinel value.
    private static void SetOrHide(Gauge.Child gauge, double value)
    {
        if (double.IsNaN(value))
            gauge.Unpublish();
        else
            gauge.Set(value);
    }
}
