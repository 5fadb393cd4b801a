using Sidecar.Store;

namespace Sidecar.Api;

/// <summary>One series in a listing.</summary>
/// <param name="Model">The forecaster serving it (<c>lstm</c> or a baseline); "" before its first forecast.</param>
/// <param name="LastStepMs">Start of its newest closed step, Unix milliseconds; null while it has none.</param>
/// <param name="LastValue">Its value at that step; NaN for a gap.</param>
internal sealed record SeriesView(string Target, LabelSet Labels, string Model, double AnomalyScore, long? LastStepMs, float LastValue);

/// <summary>A value at the start of a step.</summary>
internal readonly record struct StepValue(long TimeMs, float Value);

/// <summary>One horizon's forecast: the median and, from a trained model, its interval (NaN otherwise).</summary>
internal readonly record struct HorizonForecast(string Horizon, long TimeMs, float Lower, float Median, float Upper);

/// <summary>Everything shown about one series: recent history, its forecast per horizon, and its score.</summary>
/// <param name="NextStep">The one-step forecast of the step after the newest; NaN when there is none.</param>
/// <param name="Residual">The newest step's value minus its one-step forecast; NaN when there was none.</param>
/// <param name="Surprise">The newest step's <c>anomaly_surprise</c>; 0 when off.</param>
/// <param name="Novelty">The newest step's <c>anomaly_novelty</c>; 0 when off.</param>
internal sealed record SeriesDetail(
    SeriesView Series,
    TimeSpan Step,
    IReadOnlyList<StepValue> History,
    IReadOnlyList<HorizonForecast> Forecasts,
    float NextStep,
    double Residual,
    double Surprise,
    double Novelty);
