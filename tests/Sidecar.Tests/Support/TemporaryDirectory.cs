namespace Sidecar.Tests.Support;

/// <summary>
/// A fresh directory under the system's temp directory, deleted with its contents on dispose, so that a
/// test run leaves nothing behind on a shared machine.
/// </summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public TemporaryDirectory(string prefix) => FullName = Directory.CreateTempSubdirectory(prefix).FullName;

    public string FullName { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(FullName, recursive: true);
        }
        catch (IOException)
        {
            // A process the test started may still hold a file; the OS cleans temp eventually.
        }
    }
}
