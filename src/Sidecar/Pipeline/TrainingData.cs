using Sidecar.Model;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>Cuts a training run's data from a target's store: each series with <c>min_history</c> closed steps.</summary>
internal static class TrainingData
{
    public static SequenceSet From(TargetStore store)
    {
        var target = store.Settings;
        var layout = new FeatureLayout(target.Model.Features, target.StepMs);
        var data = new SequenceSet(layout, ForecastHeads.StepsFor(target), target.Model.Window);
        foreach (var series in store.Snapshot())
        {
            int closed = series.ClosedStepCount;
            if (closed < target.Model.MinHistorySteps)
                continue;
            int fit = Math.Min(closed, target.Model.FitWindowSteps);
            // Older steps come along for the seasonal lags and the warm-up, as far as the history reaches.
            int length = Math.Min(closed, fit + layout.LookbackSteps + target.Model.Window);
            var values = new float[length];
            long last = series.LastClosedStep;
            series.CopyHistory(last, values);
            data.Add(new SeriesHistory(series.Labels.ToString(), last - length + 1, values, length - fit, target.Model.ValidationFraction));
        }
        return data;
    }
}
