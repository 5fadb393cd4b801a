using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>
/// What a step does with the network's outputs for a chunk of series: each quantile unscaled, the one-step
/// prediction the next step is scored against, each horizon's band as calibrated on the validation part,
/// then stretched by what the series' own outcomes say it needs (<see cref="AdaptiveIntervals"/>), the
/// median combined where <c>model.combine</c> asks, all kept in the series' domain; then recorded for the
/// quality ledger and published. Only the inference loop uses it.
/// </summary>
internal sealed class NetworkForecasts(TargetSettings settings, CombinationFeed combinations, ForecastQuality quality, AdaptiveIntervals intervals, SeriesPublisher publisher)
{
    /// <param name="outputs">The network's outputs, series by series: per head (the one-step head, then each horizon's) its quantiles, scaled.</param>
    /// <param name="usable">Whether each series' newest step holds a value: a gap only moves the state on.</param>
    /// <param name="lastValues">Each series' newest value, where its forecast path starts.</param>
    public void Record(ReadOnlySpan<StepPlan> plans, TrainedModel model, float[] outputs, bool[] usable, float[] lastValues)
    {
        // What every series of the chunk shares, read once: the model's own lists are interfaces.
        int heads = model.HeadSteps.Count, quantiles = model.QuantileCount, median = model.MedianIndex, highest = quantiles - 1;
        int horizons = settings.Horizons.Count;
        float[] scales = ScalesOf(model);
        for (int b = 0; b < plans.Length; b++)
        {
            // A forecast needs the newest step itself; a gap only moves the state on.
            if (!usable[b])
                continue;
            var (series, state, _, _, last, _, _, id, floor) = plans[b];
            int offset = b * heads * quantiles;
            RobustScaler scaler = state.Scaler;
            float anchor = state.Levels.Anchor;
            float Quantile(int head, int q) => scaler.Unscale(anchor + outputs[offset + head * quantiles + q]);
            // The interval's edges, stretched from the median as calibrated on the validation part.
            float Edge(int head, int q, float scale)
            {
                float middle = outputs[offset + head * quantiles + median];
                return scaler.Unscale(anchor + middle + scale * (outputs[offset + head * quantiles + q] - middle));
            }
            state.PendingStep = last + 1;
            state.PendingOneStep = ForecastDomain.AtLeast(Quantile(0, median), floor);
            state.PendingLowerGap = state.PendingOneStep - ForecastDomain.AtLeast(Edge(0, 0, scales[0]), floor);
            state.PendingUpperGap = ForecastDomain.AtLeast(Edge(0, highest, scales[1]), floor) - state.PendingOneStep;
            state.PendingFromModel = true;
            float[] forecast = state.Forecast ??= new float[horizons * 3];
            float[] lstmMedians = state.LstmMedians ??= new float[horizons];
            state.ForecastStep = last;
            state.ForecastModel = TargetPipeline.LstmModelName;
            state.ForecastOrigin = lastValues[b];
            if (!intervals.Has(id))
                intervals.Start(id);
            ForecastCombination? combination = state.Combination;
            if (combination?.Model is not null)
                combinations.CatchUp(series, combination, last);
            for (int h = 0; h < horizons; h++)
            {
                // The band as calibrated on the validation part, then stretched by what this series' own
                // outcomes say it needs (AdaptiveIntervals), then kept in the series' domain. With a
                // combination the band moves with the median: its width is the LSTM's, its centre the combined one.
                float lstmMedian = Quantile(h + 1, median);
                lstmMedians[h] = ForecastDomain.AtLeast(lstmMedian, floor);
                float centre = combination is null ? lstmMedian : combination.Combine(h, last, lstmMedian);
                float shift = centre - lstmMedian;
                float lower = Edge(h + 1, 0, scales[(h + 1) * 2]) + shift, upper = Edge(h + 1, highest, scales[(h + 1) * 2 + 1]) + shift;
                intervals.Record(id, h, last, centre, lower, upper);
                float stretch = intervals.Stretch(id, h);
                forecast[h * 3] = ForecastDomain.AtLeast(centre - stretch * (centre - lower), floor);
                forecast[h * 3 + 1] = ForecastDomain.AtLeast(centre, floor);
                forecast[h * 3 + 2] = ForecastDomain.AtLeast(centre + stretch * (upper - centre), floor);
            }
            quality.Record(id, last, forecast);
            publisher.PublishForecast(series, state, TargetPipeline.LstmModelName);
        }
    }

    // Keyed by the model's list itself, not the model: a replaced model isn't kept alive by this cache.
    private IReadOnlyList<float>? _scalesSource;
    private float[] _scales = [];

    // The model's calibrated interval scales (per head, below then above the median) as an array, kept while the model serves.
    private float[] ScalesOf(TrainedModel model)
    {
        IReadOnlyList<float> source = model.Description.IntervalScales;
        if (!ReferenceEquals(source, _scalesSource))
        {
            _scales = [.. source];
            _scalesSource = source;
        }
        return _scales;
    }
}
