using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sidecar.Host;

/// <summary>Reads the YAML config file. Unknown keys are errors, so typos don't silently fall back to defaults.</summary>
internal static class ConfigLoader
{
    public static SidecarSettings LoadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"config: cannot read {path}: {e.Message}");
        }
        return Load(text, path, Path.GetDirectoryName(Path.GetFullPath(path)));
    }

    public static SidecarSettings Load(string yaml, string source = "config", string? baseDirectory = null) =>
        ConfigValidator.Validate(Parse(yaml, source), source, baseDirectory);

    /// <summary>The file as written, before validation, for callers that adjust it first (<c>backtest</c>).</summary>
    public static ConfigFile Parse(string yaml, string source = "config")
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        ConfigFile file;
        try
        {
            file = deserializer.Deserialize<ConfigFile?>(yaml) ?? new ConfigFile();
        }
        catch (YamlException e)
        {
            string reason = e.InnerException?.Message ?? e.Message;
            throw new ConfigException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {Describe(reason)}");
        }
        return file;
    }

    // YamlDotNet says "Property 'foo' not found on type 'Sidecar.Host.TargetSection'": users need the key.
    internal static string Describe(string reason)
    {
        const string prefix = "Property '";
        if (reason.StartsWith(prefix, StringComparison.Ordinal))
        {
            int end = reason.IndexOf('\'', prefix.Length);
            if (end > 0)
                return $"unknown key '{reason[prefix.Length..end]}'";
        }
        return reason;
    }
}
