using Sidecar.Host;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Finds a series' covariates among its target's series: per configured metric, the series of that
/// name with the same values of the <c>covariates_by</c> labels. Used by training and by inference, so
/// both see the same inputs.
/// </summary>
internal sealed class CovariateIndex
{
    private readonly CovariateSettings? _settings;
    private readonly Dictionary<string, Series> _byKey = new(StringComparer.Ordinal);

    public CovariateIndex(CovariateSettings? settings, IEnumerable<Series> series)
    {
        _settings = settings;
        if (settings is null)
            return;
        foreach (var s in series)
        {
            if (settings.Metrics.Contains(s.Labels.MetricName))
                _byKey.TryAdd(KeyOf(s.Labels.MetricName, s.Labels, settings.By), s);
        }
    }

    public int Count => _settings?.Metrics.Count ?? 0;

    /// <summary>The covariates of <paramref name="series"/>, one per configured metric, null where none matches.</summary>
    public Series?[] Resolve(Series series)
    {
        if (_settings is null)
            return [];
        var found = new Series?[_settings.Metrics.Count];
        for (int i = 0; i < found.Length; i++)
            found[i] = _byKey.GetValueOrDefault(KeyOf(_settings.Metrics[i], series.Labels, _settings.By));
        return found;
    }

    private static string KeyOf(string metric, LabelSet labels, IReadOnlyList<string> by) =>
        metric + "\u0000" + string.Join("\u0000", by.Select(labels.Get));
}
