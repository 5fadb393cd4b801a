using Sidecar.Store;

namespace Sidecar.Tests.Store;

public sealed class SelectorParserTests
{
    private static LabelSet Labels(params (string, string)[] labels) =>
        new(labels.Select(l => new KeyValuePair<string, string>(l.Item1, l.Item2)));

    public static TheoryData<string, (string, string)[], bool> Cases => new()
    {
        { "node_load1", [("__name__", "node_load1")], true },
        { "node_load1", [("__name__", "node_load15")], false },
        { "node_load1{job=\"node\"}", [("__name__", "node_load1"), ("job", "node")], true },
        { "node_load1{job=\"node\"}", [("__name__", "node_load1"), ("job", "nodes")], false },
        { "{__name__=~\"instance:.*\"}", [("__name__", "instance:cpu:rate5m")], true },
        { "{__name__=~\"instance:.*\"}", [("__name__", "job:instance:x")], false },
        // Regexes are anchored at both ends.
        { "up{job=~\"no\"}", [("__name__", "up"), ("job", "node")], false },
        { "up{job=~\"no.*\"}", [("__name__", "up"), ("job", "node")], true },
        { "up{job!~\"no.*\"}", [("__name__", "up"), ("job", "node")], false },
        { "up{job!=\"node\"}", [("__name__", "up"), ("job", "api")], true },
        // A missing label matches as "".
        { "up{zone=\"\"}", [("__name__", "up")], true },
        { "up{zone!=\"\"}", [("__name__", "up")], false },
        { "up{zone=~\"a|\"}", [("__name__", "up")], true },
        { "up{ job = 'node' , }", [("__name__", "up"), ("job", "node")], true },
        { "up{path=\"a\\\"b\"}", [("__name__", "up"), ("path", "a\"b")], true },
        { "up{path=`a\\b`}", [("__name__", "up"), ("path", "a\\b")], true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesWithPromQlSemantics(string selector, (string, string)[] labels, bool expected) =>
        Assert.Equal(expected, SelectorParser.Parse(selector).Matches(Labels(labels)));

    [Theory]
    [InlineData("", "metric name or at least one label matcher")]
    [InlineData("{}", "metric name or at least one label matcher")]
    [InlineData("{job=~\".*\"}", "does not match the empty string")]
    [InlineData("up{job}", "expected one of =, !=, =~, !~")]
    [InlineData("up{job=node}", "expected a quoted string")]
    [InlineData("up{job=\"node}", "unterminated string")]
    [InlineData("up{job=\"a\" zone=\"b\"}", "expected ',' or '}'")]
    [InlineData("up{job=~\"(\"}", "invalid regex")]
    [InlineData("up extra", "unexpected text")]
    public void ExplainsWhatIsWrong(string selector, string message)
    {
        var e = Assert.Throws<FormatException>(() => SelectorParser.Parse(selector));
        Assert.Contains(message, e.Message);
    }
}
