namespace Sidecar.Tests.Support;

/// <summary>The checkout's root, found by walking up from the test binaries to Exporter.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    public static string File(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "Exporter.sln")))
                return directory.FullName;
        }
        throw new InvalidOperationException("Exporter.sln not found above " + AppContext.BaseDirectory);
    }
}
