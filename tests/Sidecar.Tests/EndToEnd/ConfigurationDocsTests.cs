using System.Collections;
using System.Reflection;
using System.Text.RegularExpressions;
using Sidecar.Host;
using Sidecar.Tests.Support;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization.NamingConventions;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// docs/configuration.md promises every config key with its default. A key added to the code and not to
/// the page (as <c>aggregation</c> once was) would leave users guessing, so the page's reference config is
/// loaded by the real loader and walked against the config classes.
/// </summary>
public sealed partial class ConfigurationDocsTests
{
    private static string ReferenceConfig()
    {
        string page = File.ReadAllText(RepositoryRoot.File("docs", "configuration.md"));
        // The reference is the YAML block under "## Config file".
        int section = page.IndexOf("\n## Config file\n", StringComparison.Ordinal);
        Assert.True(section >= 0, "docs/configuration.md has no '## Config file' section");
        var block = YamlBlock().Match(page, section);
        Assert.True(block.Success, "docs/configuration.md has no yaml block under '## Config file'");
        return block.Groups[1].Value;
    }

    [Fact]
    public void TheReferenceConfigIsValid()
    {
        var settings = ConfigLoader.Load(ReferenceConfig(), "docs/configuration.md");
        Assert.NotEmpty(settings.Targets);
    }

    [Fact]
    public void TheReferenceConfigNamesEveryKey()
    {
        string reference = ReferenceConfig();
        var missing = new List<string>();
        Walk(typeof(ConfigFile), Yaml.Parse(reference, "docs/configuration.md"), "", missing);
        // A key that excludes another (query, beside selector) is given as a comment.
        missing.RemoveAll(key => reference.Contains($"# {key[(key.LastIndexOf('.') + 1)..]}:", StringComparison.Ordinal));
        Assert.True(missing.Count == 0, "docs/configuration.md's reference config lacks: " + string.Join(", ", missing));
    }

    /// <summary>Adds to <paramref name="missing"/> every key of <paramref name="type"/> that <paramref name="node"/> doesn't give.</summary>
    private static void Walk(Type type, YamlMappingNode node, string path, List<string> missing)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<YamlDotNet.Serialization.YamlIgnoreAttribute>() is null))
        {
            // The loader's naming: MaxSeries is max_series.
            string key = UnderscoredNamingConvention.Instance.Apply(property.Name);
            if (node.Get(key) is not { } value)
            {
                missing.Add(path + key);
                continue;
            }
            Type propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(List<>))
            {
                Type item = propertyType.GetGenericArguments()[0];
                if (IsSection(item) && value is YamlSequenceNode { Children: [YamlMappingNode first, ..] })
                    Walk(item, first, $"{path}{key}[0].", missing);
            }
            else if (IsSection(propertyType) && value is YamlMappingNode mapping)
            {
                // A section written as null (basic_auth: null) is named, and described elsewhere.
                Walk(propertyType, mapping, $"{path}{key}.", missing);
            }
        }
    }

    private static bool IsSection(Type type) =>
        type.IsClass && type != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(type);

    [GeneratedRegex(@"```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
