using System.Text.RegularExpressions;

namespace Sidecar.Store;

internal enum MatchType
{
    Equal,
    NotEqual,
    Regex,
    NotRegex,
}

/// <summary>
/// One PromQL label matcher. A missing label matches as the empty string, and regexes are anchored at
/// both ends, exactly as in Prometheus. The non-backtracking engine keeps matching linear in the input,
/// like Prometheus' RE2.
/// </summary>
internal sealed class LabelMatcher
{
    private readonly Regex? _regex;

    public LabelMatcher(string name, MatchType type, string value)
    {
        Name = name;
        Type = type;
        Value = value;
        if (type is MatchType.Regex or MatchType.NotRegex)
        {
            _regex = new Regex("^(?:" + value + ")$",
                RegexOptions.CultureInvariant | RegexOptions.NonBacktracking | RegexOptions.Singleline);
        }
    }

    public string Name { get; }

    public MatchType Type { get; }

    public string Value { get; }

    public bool Matches(string labelValue) => Type switch
    {
        MatchType.Equal => labelValue == Value,
        MatchType.NotEqual => labelValue != Value,
        MatchType.Regex => _regex!.IsMatch(labelValue),
        MatchType.NotRegex => !_regex!.IsMatch(labelValue),
        _ => false,
    };

    public override string ToString()
    {
        string op = Type switch
        {
            MatchType.Equal => "=",
            MatchType.NotEqual => "!=",
            MatchType.Regex => "=~",
            _ => "!~",
        };
        return $"{Name}{op}\"{Value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }
}
