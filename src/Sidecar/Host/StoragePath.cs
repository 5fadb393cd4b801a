namespace Sidecar.Host;

/// <summary>The data directory given by --storage.path.</summary>
internal sealed record StoragePath(string Directory);
