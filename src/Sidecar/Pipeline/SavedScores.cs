using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>
/// A target's scoring state at one moment, per series: what <c>anomaly_score</c>, <c>anomaly_surprise</c>
/// and <c>anomaly_novelty</c> have learnt about it. Unlike the streaming states it belongs to no model, so a
/// restart keeps it even when the model is retrained.
/// </summary>
/// <param name="NoveltySmoothingSteps">The smoothing window the novelty scorers were saved with; 0 when novelty was off.</param>
/// <param name="NoveltyOnsetSteps">The onset window they were saved with; 0 when novelty was off.</param>
internal sealed record SavedScores(int NoveltySmoothingSteps, int NoveltyOnsetSteps, IReadOnlyList<SavedSeriesScores> Series);

/// <param name="Key">The series' label set rendered.</param>
/// <param name="Novelty">Null when novelty was off or the series had no scorer yet, and when it doesn't fit the current settings.</param>
/// <param name="Pending">The one-step forecast waiting for its step to be scored, made before the restart.</param>
/// <param name="Combination">With <c>model.combine</c>: the series' fitted Holt-Winters and its weights; null otherwise.</param>
internal sealed record SavedSeriesScores(string Key, AnomalyScorer Scorer, ScoreSurprise Surprise, NoveltyScorer? Novelty, PendingForecast Pending, AdaptiveInterval? Interval = null,
    ForecastCombination? Combination = null);

/// <summary>A one-step forecast waiting for the value of <paramref name="Step"/>; <see cref="long.MinValue"/> for none.</summary>
/// <param name="LowerGap">Median − lower edge of its interval; NaN without one.</param>
/// <param name="UpperGap">Upper edge − median; NaN without one.</param>
/// <param name="FromModel">Made by a trained model: only those residuals are scored.</param>
internal readonly record struct PendingForecast(long Step, float OneStep, float LowerGap, float UpperGap, bool FromModel);
