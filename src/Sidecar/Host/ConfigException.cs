namespace Sidecar.Host;

/// <summary>An invalid configuration. The message names every bad key and says why.</summary>
internal sealed class ConfigException(string message) : Exception(message);
