using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>A series' anomaly score crossed 1 upwards (<paramref name="Anomalous"/>), or came back to 1 or below.</summary>
/// <param name="StepTimeMs">Start of the scored step, in Unix milliseconds.</param>
/// <param name="Predicted">The one-step forecast the value was scored against.</param>
internal sealed record AnomalyTransition(string Target, LabelSet Labels, bool Anomalous, long StepTimeMs, double Score, float Value, float Predicted);
