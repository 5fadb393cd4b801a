using Sidecar.Pipeline;

namespace Sidecar.Api;

/// <summary>One target as the APIs show it: what it selects, how far its series are, and its model's state.</summary>
/// <param name="Source">The selector, or the PromQL query of a polled target.</param>
/// <param name="Series">Series held in the store.</param>
/// <param name="Exposed">Series with forecast gauges on /metrics.</param>
/// <param name="Fallback">The baseline that forecasts until a model is trained; null for none.</param>
internal sealed record TargetView(
    string Name,
    string Source,
    TimeSpan Step,
    IReadOnlyList<string> Horizons,
    int Series,
    int Exposed,
    string? Fallback,
    string Scope,
    TrainingStatusView Training,
    IReadOnlyList<HorizonQuality> Quality);
