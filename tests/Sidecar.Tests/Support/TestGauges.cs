using System.Runtime.CompilerServices;
using Prometheus;
using Sidecar.Expose;

namespace Sidecar.Tests.Support;

/// <summary>
/// The forecast gauges a test's pipelines expose beside a registry, one set per registry as the host has one
/// of each, so that <see cref="RegistryText.ScrapeAsync"/> of the registry returns what /metrics serves.
/// </summary>
internal static class TestGauges
{
    private static readonly ConditionalWeakTable<CollectorRegistry, ForecastGauges> Gauges = new();

    public static ForecastGauges For(CollectorRegistry registry) => Gauges.GetValue(registry, _ => new ForecastGauges());

    /// <summary>The gauges made for <paramref name="registry"/>, or none.</summary>
    public static ForecastGauges? Of(CollectorRegistry registry) => Gauges.TryGetValue(registry, out var gauges) ? gauges : null;
}
