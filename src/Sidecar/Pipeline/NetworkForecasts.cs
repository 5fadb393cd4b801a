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
        int perSeries = heads * quantiles;
        // Each combined series' Holt-Winters takes the step's value first, in a loop of its own: its filter is a
        // long chain of dependent arithmetic (a division, two conversions to and from Half), which in the loop
        // below, whose body is long, the processor could not overlap with the next series' work (issue 19).
        for (int b = 0; b < plans.Length; b++)
        {
            if (usable[b] && plans[b].State.Combination is { Model: not null } combination)
                combinations.CatchUp(plans[b].Series, combination, plans[b].Last, plans[b].Reads);
        }
        for (int b = 0; b < plans.Length; b++)
        {
            // A forecast needs the newest step itself; a gap only moves the state on.
            if (!usable[b])
                continue;
            ref readonly StepPlan plan = ref plans[b];
            SeriesState state = plan.State;
            long last = plan.Last;
            int id = plan.Id;
            float floor = plan.Floor;
            // The series' outputs as one span, read head by head: through local functions indexing the whole
            // array, each quantile cost a bounds check and the closure's loads (about 5 ns a series of the
            // outputs' 58, issue 19).
            ReadOnlySpan<float> own = outputs.AsSpan(b * perSeries, perSeries);
            RobustScaler scaler = state.Scaler;
            float anchor = state.Levels.Anchor;
            ReadOnlySpan<float> oneStep = own[..quantiles];
            state.PendingStep = last + 1;
            float pending = ForecastDomain.AtLeast(scaler.Unscale(anchor + oneStep[median]), floor);
            state.PendingOneStep = pending;
            state.PendingLowerGap = pending - ForecastDomain.AtLeast(Edge(scaler, anchor, oneStep, median, 0, scales[0]), floor);
            state.PendingUpperGap = ForecastDomain.AtLeast(Edge(scaler, anchor, oneStep, median, highest, scales[1]), floor) - pending;
            state.PendingFromModel = true;
            float[] forecast = state.Forecast ??= new float[horizons * 3];
            float[] lstmMedians = state.LstmMedians ??= new float[horizons];
            state.ForecastStep = last;
            if (!ReferenceEquals(state.ForecastModel, TargetPipeline.LstmModelName)) // a reference stored is a write barrier
                state.ForecastModel = TargetPipeline.LstmModelName;
            state.ForecastOrigin = lastValues[b];
            if (!intervals.Has(id))
                intervals.Start(id);
            ForecastCombination? combination = state.Combination;
            for (int h = 0; h < horizons; h++)
            {
                // The band as calibrated on the validation part, then stretched by what this series' own
                // outcomes say it needs (AdaptiveIntervals), then kept in the series' domain. With a
                // combination the band moves with the median: its width is the LSTM's, its centre the combined one.
                ReadOnlySpan<float> head = own.Slice((h + 1) * quantiles, quantiles);
                float lstmMedian = scaler.Unscale(anchor + head[median]);
                lstmMedians[h] = ForecastDomain.AtLeast(lstmMedian, floor);
                float centre = combination is null ? lstmMedian : combination.Combine(h, last, lstmMedian);
                float shift = centre - lstmMedian;
                float lower = Edge(scaler, anchor, head, median, 0, scales[(h + 1) * 2]) + shift;
                float upper = Edge(scaler, anchor, head, median, highest, scales[(h + 1) * 2 + 1]) + shift;
                float stretch = intervals.RecordAndStretch(id, h, last, centre, lower, upper);
                forecast[h * 3] = ForecastDomain.AtLeast(centre - stretch * (centre - lower), floor);
                forecast[h * 3 + 1] = ForecastDomain.AtLeast(centre, floor);
                forecast[h * 3 + 2] = ForecastDomain.AtLeast(centre + stretch * (upper - centre), floor);
            }
            quality.Record(id, last, forecast);
            publisher.PublishForecast(plan.Series, state, TargetPipeline.LstmModelName);
        }
    }

    // The edge of a head's interval at quantile q, stretched from its median by the scale calibrated on the validation part.
    private static float Edge(RobustScaler scaler, float anchor, ReadOnlySpan<float> head, int median, int q, float scale)
    {
        float middle = head[median];
        return scaler.Unscale(anchor + middle + scale * (head[q] - middle));
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
