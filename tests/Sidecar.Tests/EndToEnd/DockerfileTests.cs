using System.Text.RegularExpressions;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>No Docker engine runs here, so the Dockerfile is checked against the repository instead.</summary>
public sealed class DockerfileTests
{
    private static readonly string Dockerfile = File.ReadAllText(RepositoryRoot.File("Dockerfile"));

    [Fact]
    public void EveryCopiedPathExists()
    {
        var copies = Regex.Matches(Dockerfile, @"(?m)^COPY (?!--from)(.+) \S+$");
        Assert.NotEmpty(copies);
        foreach (Match copy in copies)
        {
            foreach (string source in copy.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                Assert.True(Path.Exists(RepositoryRoot.File(source.TrimEnd('/'))), $"Dockerfile copies {source}, which does not exist");
        }
    }

    [Fact]
    public void PublishesTheHostProjectAndRunsItsAssembly()
    {
        var publish = Regex.Match(Dockerfile, @"dotnet publish (\S+)");
        Assert.True(File.Exists(RepositoryRoot.File(publish.Groups[1].Value)), publish.Value);
        string project = File.ReadAllText(RepositoryRoot.File(publish.Groups[1].Value));
        string assembly = Regex.Match(project, "<AssemblyName>(.+)</AssemblyName>").Groups[1].Value;
        Assert.Contains($"\"{assembly}.dll\"", Dockerfile);
        Assert.Contains("USER app", Dockerfile);
        Assert.Contains("HEALTHCHECK", Dockerfile);
        Assert.Contains("/-/healthy", Dockerfile);
    }
}
