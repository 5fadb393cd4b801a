using System.Text.Json;

namespace Sidecar.Host;

/// <summary>What a reload does with a target, by how its settings changed.</summary>
internal enum TargetChange
{
    /// <summary>Same settings (or only <c>max_series</c> or <c>forget_after</c> changed): store, models and gauges stay as they are.</summary>
    Kept,

    /// <summary>Same storage, other model, anomaly, horizon or capacity settings: history stays, a new pipeline retrains.</summary>
    Retrained,

    /// <summary>Other selector or query, step, history, type or aggregation: the kept steps no longer fit, it starts empty.</summary>
    Replaced,

    Added,
}

internal static class TargetSettingsComparison
{
    public static TargetChange Classify(TargetSettings? before, TargetSettings after)
    {
        if (before is null)
            return TargetChange.Added;
        if (!SameStorage(before, after))
            return TargetChange.Replaced;
        // max_series and forget_after only bound the store's growth: the pipeline doesn't read them.
        return Describe(before with { MaxSeries = 0, ForgetAfterMs = 0 }) == Describe(after with { MaxSeries = 0, ForgetAfterMs = 0 }) ? TargetChange.Kept : TargetChange.Retrained;
    }

    /// <summary>True when every series and step kept under <paramref name="before"/> means the same under <paramref name="after"/>.</summary>
    public static bool SameStorage(TargetSettings before, TargetSettings after) =>
        before.Selector?.ToString() == after.Selector?.ToString()
        && before.Query == after.Query
        && before.StepMs == after.StepMs
        && before.HistorySteps == after.HistorySteps
        && before.ValueType == after.ValueType
        && before.Aggregation == after.Aggregation;

    // Records compare lists by reference; their JSON compares them by content. The selector is compared
    // by its text, as written.
    private static string Describe(TargetSettings settings) =>
        settings.Selector?.ToString() + "\n" + JsonSerializer.Serialize(settings with { Selector = null });
}
