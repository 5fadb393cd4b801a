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
        Assert.Contains("HEALTHCHECK", Dockerfile);
        Assert.Contains("/-/healthy", Dockerfile);
    }

    /// <summary>The numeric user the image runs as; Kubernetes' runAsUser must say the same.</summary>
    internal static int UserId => int.Parse(Regex.Match(Dockerfile, @"(?m)^USER (\d+)\s*$").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The --storage.path the image's ENTRYPOINT passes.</summary>
    internal static string StoragePath => Regex.Match(Dockerfile, @"(?m)^ENTRYPOINT .*""--storage\.path=([^""]+)""").Groups[1].Value;

    [Fact]
    public void BothStagesAreTheNobleImagesOfTheTargetFrameworksDotNet()
    {
        // TorchSharp's native library needs GLIBCXX_3.4.32 (GCC 13). Ubuntu 24.04 (noble) has GCC 14's
        // libstdc++; Debian 12, the default of older .NET images, doesn't. Naming the distro in the tag
        // keeps a moved default tag from changing that under us.
        string framework = Regex.Match(File.ReadAllText(RepositoryRoot.File("Directory.Build.props")), @"<TargetFramework>net(\d+)\.0</TargetFramework>").Groups[1].Value;
        Assert.NotEmpty(framework);
        var stages = Regex.Matches(Dockerfile, @"(?m)^FROM (.+)$").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(2, stages.Length);
        Assert.Equal($"--platform=linux/amd64 mcr.microsoft.com/dotnet/sdk:{framework}.0-noble AS build", stages[0]);
        Assert.Equal($"--platform=linux/amd64 mcr.microsoft.com/dotnet/aspnet:{framework}.0-noble AS runtime", stages[1]);
        // linux/amd64 because the TorchSharp package ships libtorch for linux-x64 only.
        string packages = File.ReadAllText(RepositoryRoot.File("Directory.Packages.props"));
        Assert.Contains("\"TorchSharp-cpu\"", packages);
        // The SDK stage must satisfy global.json's SDK band.
        string sdk = Regex.Match(File.ReadAllText(RepositoryRoot.File("global.json")), @"""version"":\s*""(\d+)\.").Groups[1].Value;
        Assert.Equal(framework, sdk);
    }

    [Fact]
    public void RunsAsANonRootUserThatOwnsTheStorageVolume()
    {
        Assert.NotEqual(0, UserId);
        Assert.Equal("/data", StoragePath);
        Assert.Matches($@"(?m)^RUN mkdir -p {Regex.Escape(StoragePath)} && chown {UserId}:{UserId} {Regex.Escape(StoragePath)}$", Dockerfile);
        Assert.Matches($@"(?m)^VOLUME \[""{Regex.Escape(StoragePath)}""\]$", Dockerfile);
        // The user switch must come after the last RUN that needs root (the chown) and before ENTRYPOINT.
        int user = Dockerfile.IndexOf("\nUSER ", StringComparison.Ordinal);
        Assert.True(user > Dockerfile.LastIndexOf("\nRUN ", StringComparison.Ordinal));
        Assert.True(user < Dockerfile.IndexOf("\nENTRYPOINT ", StringComparison.Ordinal));
    }

    [Fact]
    public void ExposesAndProbesThePortTheSidecarListensOnByDefault()
    {
        int port = Sidecar.Host.ServeFlags.ParseListenAddress(Sidecar.Host.ServeFlags.DefaultListenAddress).Port;
        Assert.Matches($@"(?m)^EXPOSE {port}$", Dockerfile);
        Assert.Contains($"/dev/tcp/127.0.0.1/{port} ", Dockerfile);
        // No --web.listen-address in the ENTRYPOINT would move it elsewhere.
        Assert.DoesNotContain("--web.listen-address", Regex.Match(Dockerfile, "(?m)^ENTRYPOINT .*$").Value);
    }

    [Fact]
    public async Task DockerignoreKeepsOutBuildOutputAndDataButNothingTheBuildCopies()
    {
        string[] patterns = File.ReadAllLines(RepositoryRoot.File(".dockerignore"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .ToArray();
        Assert.DoesNotContain(patterns, p => p.StartsWith('!'));
        var ignored = patterns.Select(ToRegex).ToArray();
        bool Excluded(string path) => ignored.Any(regex => regex.IsMatch(path));

        // What must stay out: build output (stale, and for another RID), the repository's history, and
        // data directories that can hold gigabytes of snapshots.
        foreach (string path in new[] { "src/Sidecar/bin/Release/x.dll", "src/Sidecar/obj/project.assets.json", ".git", "data/snapshot.bin", "tests/Sidecar.Tests/Program.cs" })
            Assert.True(Excluded(path), $".dockerignore lets {path} into the build context");

        // What must reach the build: every tracked file under every path the Dockerfile copies. Untracked
        // files (build output, a data directory left by a local run) may be excluded, and should be.
        var sources = Regex.Matches(Dockerfile, @"(?m)^COPY (?!--from)(.+) \S+$")
            .SelectMany(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToArray();
        var (exitCode, listing) = await ExternalProgram.RunAsync("git", ["ls-files", "--", .. sources.Select(s => s.TrimEnd('/'))], RepositoryRoot.Path);
        Assert.True(exitCode == 0, listing);
        int checkedFiles = 0;
        foreach (string relative in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.False(Excluded(relative), $".dockerignore excludes {relative}, which the Dockerfile copies");
            checkedFiles++;
        }
        Assert.True(checkedFiles > 10, $"only {checkedFiles} copied files found");
    }

    /// <summary>
    /// A .dockerignore pattern as Docker applies it (Go filepath.Match on the context-relative path, with
    /// ** for any number of directories); excluding a directory excludes everything below it.
    /// </summary>
    private static Regex ToRegex(string pattern)
    {
        string body = Regex.Escape(pattern.TrimEnd('/').TrimStart('/'))
            .Replace(@"\*\*/", "(?:.*/)?", StringComparison.Ordinal)
            .Replace(@"\*", "[^/]*", StringComparison.Ordinal)
            .Replace(@"\?", "[^/]", StringComparison.Ordinal);
        return new Regex($"^{body}(?:/.*)?$");
    }
}
