using System.Text.RegularExpressions;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

/// <summary>
/// The README's first two commands are what a newcomer runs, in that order, on a fresh machine. .ci/run runs
/// both for real; these tests pin down the two ways they failed a newcomer before.
/// </summary>
public sealed class ReadmeCommandsTests
{
    private static readonly string Readme = File.ReadAllText(RepositoryRoot.File("README.md"));

    private static string CommandAfter(string comment)
    {
        var match = Regex.Match(Readme, $@"(?m)^# {comment}:.*\n(?:#.*\n)*(.+)$");
        Assert.True(match.Success, $"README has no '# {comment}:' command");
        return match.Groups[1].Value.Trim();
    }

    [Fact]
    public void TheTestCommandUpdatesThePackageListsBeforeInstalling()
    {
        // A fresh Debian machine has empty package lists: apt-get install alone finds nothing.
        string test = CommandAfter("test");
        int update = test.IndexOf("apt-get update", StringComparison.Ordinal);
        int install = test.IndexOf("apt-get install", StringComparison.Ordinal);
        Assert.True(update >= 0 && install > update, $"the test command installs without updating first: {test}");
    }

    [Fact]
    public async Task TheRunCommandKeepsItsDataOutOfTheSourceTree()
    {
        // `dotnet run --project P` of a Web SDK project starts in P's folder unless the project says
        // otherwise, so the default --storage.path=data/ landed in src/Sidecar/data.
        var run = Regex.Match(CommandAfter("run"), @"dotnet run --project (\S+)");
        Assert.True(run.Success, "the run command is not a dotnet run --project");
        var (exitCode, output) = await ExternalProgram.RunAsync(
            "dotnet", ["msbuild", run.Groups[1].Value, "-getProperty:RunWorkingDirectory"], RepositoryRoot.Path, TimeSpan.FromMinutes(2));
        Assert.True(exitCode == 0, output);
        Assert.Equal(Path.TrimEndingDirectorySeparator(RepositoryRoot.Path), Path.TrimEndingDirectorySeparator(output.Trim()));

        // And there, the data directory is ignored by git and kept out of Docker's build context.
        (exitCode, output) = await ExternalProgram.RunAsync("git", ["check-ignore", "-q", "data/snapshot.bin"], RepositoryRoot.Path);
        Assert.True(exitCode == 0, "git does not ignore data/ at the repository root: " + output);
        Assert.Contains(File.ReadAllLines(RepositoryRoot.File(".dockerignore")), line => line.Trim() == "data/");
    }
}
