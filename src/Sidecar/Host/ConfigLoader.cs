using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
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
    /// <remarks>Unknown keys don't stop the reading: they are listed in <see cref="ConfigFile.UnknownKeys"/> for the validator to report with every other error.</remarks>
    public static ConfigFile Parse(string yaml, string source = "config")
    {
        try
        {
            var document = new YamlStream();
            document.Load(new StringReader(yaml));
            var deserializer = new DeserializerBuilder()
                .WithNamingConvention(UnderscoredNamingConvention.Instance)
                .IgnoreUnmatchedProperties()
                .Build();
            ConfigFile file = deserializer.Deserialize<ConfigFile?>(yaml) ?? new ConfigFile();
            if (document.Documents.Count > 0)
                file.UnknownKeys = UnknownConfigKeys.Find(document.Documents[0].RootNode, typeof(ConfigFile));
            return file;
        }
        catch (YamlException e)
        {
            string reason = e.InnerException?.Message ?? e.Message;
            throw new ConfigException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {reason}");
        }
    }
}
