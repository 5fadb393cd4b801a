using System.Reflection;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sidecar.Host;

/// <summary>
/// Every key of a YAML document that its C# shape has no property for, with its line and the nearest valid
/// key. The deserializer stops at the first such key; someone fixing a config wants them all at once.
/// </summary>
internal static class UnknownConfigKeys
{
    /// <param name="shape">The class the document deserializes to; its properties are the valid keys, in snake_case.</param>
    /// <returns>One error per unknown key: <c>targets[0]: line 4, column 5: unknown key 'stepp'; did you mean 'step'?</c></returns>
    public static List<string> Find(YamlNode document, Type shape)
    {
        var errors = new List<string>();
        Visit(document, shape, "", errors);
        return errors;
    }

    private static void Visit(YamlNode node, Type shape, string path, List<string> errors)
    {
        if (ListElementType(shape) is { } element)
        {
            if (node is YamlSequenceNode sequence)
            {
                for (int i = 0; i < sequence.Children.Count; i++)
                    Visit(sequence.Children[i], element, $"{path}[{i}]", errors);
            }
            return;
        }
        // Scalars, and nodes of the wrong kind, which the deserializer reports itself.
        if (shape == typeof(string) || !shape.IsClass || node is not YamlMappingNode mapping)
            return;
        var keys = shape.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.GetCustomAttribute<YamlIgnoreAttribute>() is null)
            .ToDictionary(p => UnderscoredNamingConvention.Instance.Apply(p.Name), p => Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType, StringComparer.Ordinal);
        foreach (var (keyNode, value) in mapping.Children)
        {
            string key = (keyNode as YamlScalarNode)?.Value ?? keyNode.ToString();
            if (keys.TryGetValue(key, out Type? type))
            {
                Visit(value, type, path.Length == 0 ? key : $"{path}.{key}", errors);
                continue;
            }
            string where = $"line {keyNode.Start.Line}, column {keyNode.Start.Column}";
            string? closest = ClosestName.Find(key, keys.Keys);
            errors.Add((path.Length == 0 ? "" : path + ": ") + $"{where}: unknown key '{key}'" + (closest is null ? "" : $"; did you mean '{closest}'?"));
        }
    }

    private static Type? ListElementType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) ? type.GetGenericArguments()[0] : null;
}
