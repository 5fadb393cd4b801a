using System.Text;

namespace Sidecar.Store;

/// <summary>
/// Parses selectors such as <c>node_load1{job="node"}</c> or <c>{__name__=~"instance:.*"}</c>.
/// Errors say what was expected and at which character.
/// </summary>
internal static class SelectorParser
{
    public static Selector Parse(string text)
    {
        var matchers = new List<LabelMatcher>();
        int position = 0;
        SkipSpace(text, ref position);
        string metric = ReadIdentifier(text, ref position, allowColon: true);
        if (metric.Length > 0)
            matchers.Add(new LabelMatcher(LabelSet.MetricNameLabel, MatchType.Equal, metric));
        SkipSpace(text, ref position);
        if (position < text.Length && text[position] == '{')
        {
            position++;
            while (true)
            {
                SkipSpace(text, ref position);
                if (position < text.Length && text[position] == '}')
                {
                    position++;
                    break;
                }
                string name = ReadIdentifier(text, ref position, allowColon: false);
                if (name.Length == 0)
                    throw Error(text, position, "expected a label name");
                SkipSpace(text, ref position);
                MatchType type = ReadOperator(text, ref position);
                SkipSpace(text, ref position);
                string value = ReadString(text, ref position);
                try
                {
                    matchers.Add(new LabelMatcher(name, type, value));
                }
                catch (ArgumentException e)
                {
                    throw new FormatException($"invalid regex for label {name}: {e.Message}");
                }
                SkipSpace(text, ref position);
                if (position < text.Length && text[position] == ',')
                {
                    position++;
                    continue;
                }
                if (position < text.Length && text[position] == '}')
                {
                    position++;
                    break;
                }
                throw Error(text, position, "expected ',' or '}'");
            }
        }
        SkipSpace(text, ref position);
        if (position != text.Length)
            throw Error(text, position, "unexpected text after the selector");
        if (matchers.Count == 0)
            throw new FormatException("a selector needs a metric name or at least one label matcher");
        if (matchers.All(m => m.Matches("")))
            throw new FormatException("a selector needs at least one matcher that does not match the empty string, as in PromQL");
        return new Selector(matchers, text.Trim());
    }

    private static FormatException Error(string text, int position, string expected) =>
        new($"{expected} at character {position + 1} of '{text}'");

    private static void SkipSpace(string text, ref int position)
    {
        while (position < text.Length && char.IsWhiteSpace(text[position]))
            position++;
    }

    private static string ReadIdentifier(string text, ref int position, bool allowColon)
    {
        int start = position;
        while (position < text.Length)
        {
            char c = text[position];
            bool valid = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':')
                || (position > start && char.IsAsciiDigit(c));
            if (!valid)
                break;
            position++;
        }
        return text[start..position];
    }

    private static MatchType ReadOperator(string text, ref int position)
    {
        string rest = text[position..];
        (string op, MatchType type)[] operators = [("=~", MatchType.Regex), ("!~", MatchType.NotRegex), ("!=", MatchType.NotEqual), ("=", MatchType.Equal)];
        foreach (var (op, type) in operators)
        {
            if (rest.StartsWith(op, StringComparison.Ordinal))
            {
                position += op.Length;
                return type;
            }
        }
        throw Error(text, position, "expected one of =, !=, =~, !~");
    }

    private static string ReadString(string text, ref int position)
    {
        if (position >= text.Length || text[position] is not ('"' or '\'' or '`'))
            throw Error(text, position, "expected a quoted string");
        char quote = text[position++];
        var value = new StringBuilder();
        while (position < text.Length)
        {
            char c = text[position++];
            if (c == quote)
                return value.ToString();
            if (c == '\\' && quote != '`')
            {
                if (position >= text.Length)
                    break;
                char escaped = text[position++];
                value.Append(escaped switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    _ => escaped,
                });
                continue;
            }
            value.Append(c);
        }
        throw Error(text, position, "unterminated string");
    }
}
