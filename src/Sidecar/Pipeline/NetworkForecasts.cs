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
        int heads = model.HeadSteps.Count, quantiles = model.QuantileCount;
        for (int b = 0; b < plans.Length; b++)
        {
            // A forecast needs the newest step itself; a gap only moves the state on.
            if (!usable[b])
                continue;
            var (series, state, _, _, last, _, _, id, floor) = plans[b];
            int offset = b * heads * quantiles;
            float Quantile(int head, int q) => state.Scaler.Unscale(state.Levels.Anchor + outputs[offset + head * quantiles + q]);
            // The interval's edges, stretched from the median as calibrated on the validation part.
            float Edge(int head, int q, float scale)
            {
                float median = outputs[offset + head * quantiles + model.MedianIndex];
                return state.Scaler.Unscale(state.Levels.Anchor + median + scale * (outputs[offset + head * quantiles + q] - median));
            }
            state.PendingStep = last + 1;
            state.PendingOneStep = ForecastDomain.AtLeast(Quantile(0, model.MedianIndex), floor);
            state.PendingLowerGap = state.PendingOneStep - ForecastDomain.AtLeast(Edge(0, 0, model.Description.IntervalScales[0]), floor);
            state.PendingUpperGap = ForecastDomain.AtLeast(Edge(0, quantiles - 1, model.Description.IntervalScales[1]), floor) - state.PendingOneStep;
            state.PendingFromModel = true;
            state.Forecast ??= new float[settings.Horizons.Count * 3];
            state.ForecastStep = last;
            state.ForecastModel = TargetPipeline.LstmModelName;
            state.ForecastOrigin = lastValues[b];
            IReadOnlyList<float> scales = model.Description.IntervalScales;
            if (!intervals.Has(id))
                intervals.Start(id);
            state.LstmMedians ??= new float[settings.Horizons.Count];
            ForecastCombination? combination = state.Combination;
            if (combination?.Model is not null)
                combinations.CatchUp(series, combination, last);
            for (int h = 0; h < settings.Horizons.Count; h++)
            {
                // The band as calibrated on the validation part, then stretched by what this series' own
                // outcomes say it needs (AdaptiveIntervals), then kept in the series' domain. With a
                // combination the band moves with the median: its width is the LSTM's, its centre the combined one.
                float lstmMedian = Quantile(h + 1, model.MedianIndex);
                state.LstmMedians[h] = ForecastDomain.AtLeast(lstmMedian, floor);
                float median = combination is null ? lstmMedian : combination.Combine(h, last, lstmMedian);
                float shift = median - lstmMedian;
                float lower = Edge(h + 1, 0, scales[(h + 1) * 2]) + shift, upper = Edge(h + 1, quantiles - 1, scales[(h + 1) * 2 + 1]) + shift;
                intervals.Record(id, h, last, median, lower, upper);
                float stretch = intervals.Stretch(id, h);
                state.Forecast[h * 3] = ForecastDomain.AtLeast(median - stretch * (median - lower), floor);
                state.Forecast[h * 3 + 1] = ForecastDomain.AtLeast(median, floor);
                state.Forecast[h * 3 + 2] = ForecastDomain.AtLeast(median + stretch * (upper - median), floor);
            }
            quality.Record(id, last, state.Forecast);
            publisher.PublishForecast(series, state, TargetPipeline.LstmModelName);
        }
    }
}
