using System.Collections.Concurrent;

namespace Sidecar.Store;

/// <summary>Type, help and unit per metric family, from remote-write metadata. The newest report wins.</summary>
internal sealed class MetricMetadataStore
{
    /// <summary>Bounds memory when a sender reports metadata for a flood of families.</summary>
    public const int MaxFamilies = 100_000;

    private readonly ConcurrentDictionary<string, MetricMetadata> _families = new(StringComparer.Ordinal);

    public int Count => _families.Count;

    public bool Record(string family, MetricType type, string help, string unit)
    {
        if (family.Length == 0 || (_families.Count >= MaxFamilies && !_families.ContainsKey(family)))
            return false;
        _families[family] = new MetricMetadata(type, help, unit);
        return true;
    }

    public MetricMetadata? Get(string family) => _families.TryGetValue(family, out var metadata) ? metadata : null;
}

internal sealed record MetricMetadata(MetricType Type, string Help, string Unit);
