using Sidecar.Host;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// A pipeline's scoring state out to a snapshot and back after a restart or a reload (<see cref="SavedScores"/>):
/// per series its residual score and that score's surprise, novelty's records, the one-step forecast waiting
/// to be scored, its adaptive interval and its combination. What no longer fits the settings (other
/// horizons, other novelty windows, a combination no longer asked for) starts afresh instead.
/// </summary>
internal sealed class ScoringStateTransfer(TargetSettings settings, SeriesStateTable states, AdaptiveIntervals intervals, NoveltyTable? novelty, CombinationFeed combinations)
{
    private readonly int[] _horizonSteps = [.. settings.Horizons.Select(h => h.Steps)];

    /// <summary>The scoring state of every series scored so far: copies, so scoring goes on meanwhile.</summary>
    public SavedScores Export()
    {
        var series = new List<SavedSeriesScores>();
        for (int id = 0; id < states.Count; id++)
        {
            SeriesState? state = states[id];
            bool hasInterval = intervals.Has(id), hasNovelty = novelty?.Has(id) == true;
            if (state is not null && (state.Scorer.Count > 0 || hasNovelty || hasInterval || state.Combination is not null))
            {
                var pending = new PendingForecast(state.PendingStep, state.PendingOneStep, state.PendingLowerGap, state.PendingUpperGap, state.PendingFromModel);
                AdaptiveInterval? interval = hasInterval ? AdaptiveInterval.CopyOf(intervals, id) : null;
                NoveltyScorer? scorer = hasNovelty ? novelty!.Export(id) : null;
                series.Add(new SavedSeriesScores(state.Key, state.Scorer, state.Surprise, scorer, pending, interval, state.Combination?.Clone()));
            }
        }
        var windows = settings.Anomaly.Novelty;
        return new SavedScores(windows?.SmoothingSteps ?? 0, windows?.OnsetSteps ?? 0, series);
    }

    /// <summary>Puts <paramref name="scores"/> back onto those of <paramref name="series"/> it has a state for, by label set.</summary>
    public void Restore(SavedScores scores, IEnumerable<Series> series)
    {
        var saved = scores.Series.ToDictionary(s => s.Key, StringComparer.Ordinal);
        foreach (Series one in series)
        {
            if (!saved.TryGetValue(one.Labels.ToString(), out var restored))
                continue;
            SeriesState state = states.StateOf(one);
            state.Scorer = restored.Scorer;
            state.Surprise = restored.Surprise;
            // Records kept under other windows don't fit: novelty rebuilds them from the store's history at the next step.
            if (restored.Novelty is { } kept && novelty is { } table && kept.Settings.SameWindows(table.Settings))
                table.CopyIn(kept, one.Id);
            else
                novelty?.Remove(one.Id);
            (state.PendingStep, state.PendingOneStep, state.PendingLowerGap, state.PendingUpperGap, state.PendingFromModel) = restored.Pending;
            // An interval learnt for other horizons (a reload that changed them) starts afresh, at the first
            // forecast; one that fits carries on under the coverage configured now.
            if (restored.Interval is { } interval && interval.Fits(_horizonSteps))
                interval.CopyTo(intervals, one.Id);
            else
                intervals.Remove(one.Id);
            // A combination for other horizons or another step, or one the config no longer asks for, goes.
            int daySteps = combinations.DaySteps;
            state.Combination = daySteps > 0 && restored.Combination is { } combination && combination.Fits(_horizonSteps, daySteps) ? combination : null;
            if (state.Combination is not null)
                combinations.NoteRestored(one, state.Combination);
        }
    }
}
