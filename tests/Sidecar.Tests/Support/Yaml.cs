using YamlDotNet.RepresentationModel;

namespace Sidecar.Tests.Support;

/// <summary>
/// Reading and editing the shipped YAML files (compose, Kubernetes, Prometheus configs) as node trees.
/// The representation model keeps each scalar's style, so an edited tree saved again still says
/// <c>'0'</c> where the file said <c>'0'</c> and <c>2</c> where it said <c>2</c>: Prometheus' strict
/// YAML decoder sees the same types it would in the shipped file.
/// </summary>
internal static class Yaml
{
    public static YamlMappingNode LoadFile(string path) => Parse(File.ReadAllText(path), path);

    public static YamlMappingNode Parse(string text, string source = "yaml")
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count != 1)
            throw new Xunit.Sdk.XunitException($"{source}: expected one YAML document, found {stream.Documents.Count}");
        return stream.Documents[0].RootNode as YamlMappingNode
            ?? throw new Xunit.Sdk.XunitException($"{source}: the document is not a mapping");
    }

    public static string Save(YamlNode root)
    {
        var writer = new StringWriter();
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    /// <summary>The value at a key, or null when the node is not a mapping or lacks it.</summary>
    public static YamlNode? Get(this YamlNode node, string key) =>
        node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    /// <summary>The value at a path of keys; a missing one fails the test with the whole path named.</summary>
    public static YamlNode At(this YamlNode node, params string[] path)
    {
        YamlNode current = node;
        for (int i = 0; i < path.Length; i++)
        {
            current = current.Get(path[i])
                ?? throw new Xunit.Sdk.XunitException($"missing key '{string.Join(".", path[..(i + 1)])}'");
        }
        return current;
    }

    public static string Text(this YamlNode node, params string[] path) =>
        node.At(path) is YamlScalarNode scalar
            ? scalar.Value ?? ""
            : throw new Xunit.Sdk.XunitException($"'{string.Join(".", path)}' is not a scalar");

    public static string? TextOrNull(this YamlNode node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    public static IList<YamlNode> Items(this YamlNode node, params string[] path) =>
        node.At(path) is YamlSequenceNode sequence
            ? sequence.Children
            : throw new Xunit.Sdk.XunitException($"'{string.Join(".", path)}' is not a sequence");

    public static IEnumerable<string> Texts(this YamlNode node, params string[] path) =>
        node.Items(path).Select(item => ((YamlScalarNode)item).Value ?? "");

    /// <summary>A string-keyed mapping of scalars, e.g. a set of Kubernetes labels.</summary>
    public static Dictionary<string, string> StringMap(this YamlNode node, params string[] path) =>
        ((YamlMappingNode)node.At(path)).Children.ToDictionary(
            pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => ((YamlScalarNode)pair.Value).Value ?? "");

    /// <summary>
    /// The tree as plain values (strings, lists, string-keyed dictionaries), for structural comparison:
    /// comments, quoting and layout don't count, content and order of sequences do.
    /// </summary>
    public static object? Plain(YamlNode? node) => node switch
    {
        null => null,
        YamlScalarNode scalar => scalar.Value,
        YamlSequenceNode sequence => sequence.Children.Select(Plain).ToList(),
        YamlMappingNode mapping => mapping.Children.ToDictionary(pair => ((YamlScalarNode)pair.Key).Value ?? "", pair => Plain(pair.Value)),
        _ => throw new Xunit.Sdk.XunitException("unexpected YAML node " + node.NodeType),
    };

    public static bool PlainEquals(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (string x, string y) => x == y,
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(pair => PlainEquals(pair.First, pair.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) =>
            x.Count == y.Count && x.All(pair => y.TryGetValue(pair.Key, out var other) && PlainEquals(pair.Value, other)),
        _ => false,
    };
}
