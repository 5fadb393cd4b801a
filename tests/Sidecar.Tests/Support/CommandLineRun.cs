using Sidecar.Host;

namespace Sidecar.Tests.Support;

/// <summary>The program's command line run in this process, as <c>main</c> runs it, with its output captured.</summary>
internal static class CommandLineRun
{
    public static async Task<(int ExitCode, string Output, string Error)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        int exitCode = await new CommandLineDefinition().InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
