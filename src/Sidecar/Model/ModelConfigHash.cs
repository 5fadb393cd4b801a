using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Sidecar.Host;

namespace Sidecar.Model;

/// <summary>
/// A fingerprint of every setting a trained network depends on: what the target selects, how steps are
/// formed, the inputs, the heads, the quantiles and the network's shape. A saved model whose hash differs
/// from the running config is not used. Scheduling settings (fit_every, fit_window, min_history, epochs)
/// are left out on purpose: changing them doesn't make a trained model wrong.
/// </summary>
internal static class ModelConfigHash
{
    public static string Compute(TargetSettings target)
    {
        var m = target.Model;
        var text = new StringBuilder();
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"v1|selector={target.Selector?.ToString()}|query={target.Query}|step={target.StepMs}");
        text.Append(invariant, $"|type={target.ValueType}|aggregation={target.Aggregation}");
        text.Append(invariant, $"|heads={string.Join(',', ForecastHeads.StepsFor(target))}");
        text.Append(invariant, $"|quantiles={string.Join(',', m.Quantiles.Select(q => q.ToString("R", invariant)))}");
        text.Append(invariant, $"|features={m.Features.Calendar},{m.Features.DailyLag},{m.Features.WeeklyLag},{m.Features.Covariates}");
        // Appended only when on, so the hash of every configuration from before the option stays the same.
        if (m.Features.SmoothedLevels)
            text.Append(",smoothed_levels");
        text.Append(invariant, $"|window={m.Window}|hidden={m.HiddenSize}|layers={m.Layers}|scope={m.Scope}");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }
}
