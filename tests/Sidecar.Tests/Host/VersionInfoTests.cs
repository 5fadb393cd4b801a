using System.Text.RegularExpressions;
using Sidecar.Bench;
using Sidecar.Host;
using Sidecar.Tests.Support;
using TorchSharp;

namespace Sidecar.Tests.Host;

public sealed class VersionInfoTests
{
    [Fact]
    public async Task TheVersionFlagNamesTheBuildTheLibrariesAndTheCpu()
    {
        var (exitCode, output, error) = await CommandLineRun.InvokeAsync("--version");
        Assert.True(exitCode == 0, error);
        string[] lines = output.TrimEnd('\n').Split('\n');
        var first = Regex.Match(lines[0], @"^prometheus-forecast-sidecar, version (\d+\.\d+\.\d+) \(revision: ([0-9a-f]{40}|unknown)\)$");
        Assert.True(first.Success, lines[0]);
        // Built from this checkout, the revision is its commit.
        var (gitExit, head) = await ExternalProgram.RunAsync("git", ["rev-parse", "HEAD"], RepositoryRoot.Path);
        if (gitExit == 0)
            Assert.Equal(head.Trim(), first.Groups[2].Value);
        Assert.Equal($"  torchsharp version:  {typeof(torch).Assembly.GetName().Version!.ToString(3)}", lines[1]);
        Assert.Matches(@"^  libtorch version:    \d+\.\d+\.\d+", lines[2]);
        Assert.Equal($"  cpu simd:            {MachineDescription.SimdLevel()}", lines[3]);
        Assert.StartsWith("  .net version:        10.", lines[4]);
        Assert.StartsWith("  platform:            ", lines[5]);
    }

    [Fact]
    public void ALibtorchThatCannotLoadIsUnavailableNotACrash()
    {
        string text = VersionInfo.Text(() => throw new TypeInitializationException("TorchSharp.torch", new DllNotFoundException("libLibTorchSharp.so")));
        Assert.Contains("\n  libtorch version:    unavailable\n", text);
        Assert.Contains("torchsharp version:", text);
    }

    [Fact]
    public async Task TheVersionAnswersBesideTheFlagsOfTheImagesEntrypoint()
    {
        var (exitCode, output, _) = await CommandLineRun.InvokeAsync("--storage.path=/data", "--version");
        Assert.Equal(0, exitCode);
        Assert.StartsWith("prometheus-forecast-sidecar, version ", output);
    }
}
