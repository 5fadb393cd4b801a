using System.Text;

namespace Sidecar.Store;

/// <summary>An immutable label set, sorted by name. Built once per distinct series, never on the hot path.</summary>
internal sealed class LabelSet : IEquatable<LabelSet>
{
    public const string MetricNameLabel = "__name__";

    private readonly KeyValuePair<string, string>[] _labels;
    private readonly string _key;

    /// <summary>Labels must already be validated: unique, non-empty names.</summary>
    public LabelSet(IEnumerable<KeyValuePair<string, string>> labels)
    {
        _labels = labels.OrderBy(l => l.Key, StringComparer.Ordinal).ToArray();
        _key = BuildKey(_labels);
    }

    public IReadOnlyList<KeyValuePair<string, string>> Labels => _labels;

    public string MetricName => Get(MetricNameLabel);

    /// <summary>The value of <paramref name="name"/>, or "" when absent, as in PromQL.</summary>
    public string Get(string name)
    {
        foreach (var label in _labels)
        {
            if (label.Key == name)
                return label.Value;
        }
        return "";
    }

    public bool Equals(LabelSet? other) => other is not null && other._key == _key;

    public override bool Equals(object? obj) => Equals(obj as LabelSet);

    public override int GetHashCode() => _key.GetHashCode(StringComparison.Ordinal);

    /// <summary>Prometheus' own notation: <c>name{a="b", c="d"}</c>.</summary>
    public override string ToString() => _key;

    private static string BuildKey(KeyValuePair<string, string>[] labels)
    {
        var text = new StringBuilder();
        string name = "";
        foreach (var label in labels)
        {
            if (label.Key == MetricNameLabel)
                name = label.Value;
        }
        text.Append(name).Append('{');
        bool first = true;
        foreach (var label in labels)
        {
            if (label.Key == MetricNameLabel)
                continue;
            if (!first)
                text.Append(", ");
            first = false;
            text.Append(label.Key).Append("=\"");
            foreach (char c in label.Value)
            {
                _ = c switch
                {
                    '\\' => text.Append("\\\\"),
                    '"' => text.Append("\\\""),
                    '\n' => text.Append("\\n"),
                    _ => text.Append(c),
                };
            }
            text.Append('"');
        }
        return text.Append('}').ToString();
    }
}
