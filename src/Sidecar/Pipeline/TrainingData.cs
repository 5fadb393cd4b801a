using Sidecar.Model;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>Cuts a training run's data from a target's store: each series with <c>min_history</c> closed steps.</summary>
internal static class TrainingData
{
    /// <param name="only">With <c>model.scope: series</c>, the one series to train on (its covariates still come along as inputs).</param>
    public static SequenceSet From(TargetStore store, Series? only = null)
    {
        var target = store.Settings;
        var layout = new FeatureLayout(target.Model.Features, target.StepMs);
        var data = new SequenceSet(layout, ForecastHeads.StepsFor(target), target.Model.Window);
        Series[] all = store.Snapshot();
        var histories = new Dictionary<Series, SeriesHistory>();
        foreach (var series in all)
        {
            int closed = series.ClosedStepCount;
            if (closed < target.Model.MinHistorySteps)
                continue;
            // Other series only matter to a per-series run as covariates.
            if (only is not null && series != only && target.Model.Features.Covariates is null)
                continue;
            int fit = Math.Min(closed, target.Model.FitWindowSteps);
            // Older steps come along for the seasonal lags and the warm-up, as far as the history reaches.
            int length = Math.Min(closed, fit + layout.LookbackSteps + target.Model.Window);
            var values = new float[length];
            long last = series.LastClosedStep;
            series.CopyHistory(last, values);
            var history = new SeriesHistory(series.Labels.ToString(), last - length + 1, values, length - fit, target.Model.ValidationFraction);
            histories[series] = history;
            if (only is null || series == only)
                data.Add(history);
        }
        // A covariate without min_history of its own is not trained on: its input shows as missing.
        var covariates = new CovariateIndex(target.Model.Features.Covariates, all);
        foreach (var (series, history) in histories)
            history.Covariates = [.. covariates.Resolve(series).Select(c => c is null ? null : histories.GetValueOrDefault(c))];
        return data;
    }
}
