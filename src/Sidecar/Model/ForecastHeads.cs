using Sidecar.Host;

namespace Sidecar.Model;

/// <summary>The output heads of a target's model: one step ahead (for scoring), then every horizon.</summary>
internal static class ForecastHeads
{
    public static int[] StepsFor(TargetSettings target) =>
        new[] { 1 }.Concat(target.Horizons.Select(h => h.Steps)).ToArray();
}
