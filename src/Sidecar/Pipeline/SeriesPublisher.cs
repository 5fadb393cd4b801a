using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Puts a series' newest forecast and scores on its gauges (<see cref="SeriesGauges"/>), and takes them
/// off when the series goes quiet or is forgotten. A series' gauges carry the model that made the
/// forecast: when the model changes (a fallback, then the LSTM), the old gauges go, so Prometheus marks
/// them stale. Used by the inference loop only.
/// </summary>
internal sealed class SeriesPublisher(ForecastGauges gauges, TargetSettings settings)
{
    /// <summary>Series with gauges on /metrics now.</summary>
    public int ExposedCount { get; private set; }

    /// <summary>Sets the gauges of a series from its newest LSTM forecast (<see cref="SeriesState.Forecast"/>), interval and crossings included.</summary>
    public void PublishForecast(Series series, SeriesState state, string model)
    {
        SeriesGauges seriesGauges = GaugesFor(series, state, model, withInterval: true);
        seriesGauges.SetForecast(state.Forecast!);
        if (settings.Capacity is { } capacity)
            SetCrossings(seriesGauges, state, capacity);
        SetScores(seriesGauges, state);
    }

    /// <summary>Sets the gauges of a series from a forecaster without an interval: the medians of <see cref="SeriesState.Forecast"/> only.</summary>
    public void PublishMedians(Series series, SeriesState state, string model)
    {
        SeriesGauges seriesGauges = GaugesFor(series, state, model, withInterval: false);
        for (int h = 0; h < settings.Horizons.Count; h++)
            seriesGauges.Predicted(h).Set(state.Forecast![h * 3 + 1]);
        SetScores(seriesGauges, state);
    }

    /// <summary>Takes the series' gauges off /metrics; false when it had none.</summary>
    public bool Remove(SeriesState state)
    {
        if (state.Gauges is null)
            return false;
        state.Gauges.Remove();
        state.Gauges = null;
        ExposedCount--;
        return true;
    }

    private void SetCrossings(SeriesGauges seriesGauges, SeriesState state, CapacitySettings capacity)
    {
        int count = settings.Horizons.Count;
        Span<double> seconds = stackalloc double[count];
        Span<float> median = stackalloc float[count];
        Span<float> pessimistic = stackalloc float[count];
        for (int h = 0; h < count; h++)
        {
            seconds[h] = settings.Horizons[h].Steps * settings.Step.TotalSeconds;
            median[h] = state.Forecast![h * 3 + 1];
            pessimistic[h] = state.Forecast[h * 3 + (capacity.Above ? 2 : 0)];
        }
        SetOrHide(seriesGauges.Crossing(0), ThresholdCrossing.SecondsUntil(state.ForecastOrigin, seconds, median, capacity.Threshold, capacity.Above));
        SetOrHide(seriesGauges.Crossing(1), ThresholdCrossing.SecondsUntil(state.ForecastOrigin, seconds, pessimistic, capacity.Threshold, capacity.Above));
    }

    private static void SetScores(SeriesGauges seriesGauges, SeriesState state) =>
        seriesGauges.SetScores(state.LastScore, state.LastResidual, state.LastSurprise, state.LastNovelty);

    // An unknown value (no crossing forecast, no residual yet) is no series at all, not a sentinel value.
    private static void SetOrHide(ExposedGauge gauge, double value)
    {
        if (double.IsNaN(value))
            gauge.Unpublish();
        else
            gauge.Set(value);
    }

    /// <summary>The series' gauges labelled with <paramref name="model"/>; those of another model go, so Prometheus marks them stale.</summary>
    private SeriesGauges GaugesFor(Series series, SeriesState state, string model, bool withInterval)
    {
        if (state.Gauges?.Model == model)
            return state.Gauges;
        if (state.Gauges is null)
            ExposedCount++;
        state.Gauges?.Remove();
        state.Gauges = gauges.Create(series.Labels, settings, model, withInterval);
        return state.Gauges;
    }
}
