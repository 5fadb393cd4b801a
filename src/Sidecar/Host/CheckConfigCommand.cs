using System.CommandLine;
using System.Globalization;

namespace Sidecar.Host;

/// <summary>
/// <c>check config FILE...</c>, the counterpart of <c>promtool check config</c>: reads and validates each file
/// as the sidecar does at start, and starts nothing (no port, no libtorch, no storage). It prints the targets
/// the sidecar would run, the built-in demo target included, and exits 0; or it names every bad key of every
/// failing file on standard error and exits 1.
/// </summary>
internal static class CheckConfigCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "sidecar config files (YAML)", Arity = ArgumentArity.OneOrMore };
        var config = new Command("config", "Validate sidecar config files without starting anything; print the targets each would run") { files };
        config.SetAction(result => Run(result.GetValue(files)!, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return new Command("check", "Check files without starting the sidecar, as promtool check does") { config };
    }

    /// <returns>0 when every file is valid, 1 when any is not.</returns>
    public static int Run(IReadOnlyList<string> paths, TextWriter output, TextWriter error)
    {
        int failed = 0;
        foreach (string path in paths)
        {
            output.WriteLine($"Checking {path}");
            SidecarSettings inFile;
            try
            {
                inFile = ConfigLoader.LoadFile(path);
            }
            catch (ConfigException e)
            {
                // The message lists one bad key per line; indented under FAILED they read as its list.
                error.WriteLine($"  FAILED: {e.Message.Replace("\n", "\n  ", StringComparison.Ordinal)}");
                failed++;
                continue;
            }
            SidecarSettings running = SidecarHost.WithDemoTarget(inFile);
            foreach (TargetSettings target in inFile.Targets)
                output.WriteLine("  " + Describe(target));
            foreach (TargetSettings demo in running.Targets.Skip(inFile.Targets.Count))
                output.WriteLine("  " + Describe(demo) + $" (built in: demo.mode is {inFile.Demo.ToString().ToLowerInvariant()})");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $" SUCCESS: {path} is a valid sidecar config: {running.Targets.Count} target(s)"));
        }
        return failed == 0 ? 0 : 1;
    }

    private static string Describe(TargetSettings target)
    {
        string source = target.Query is null ? $"selector {target.Selector}" : $"query {target.Query}";
        return $"target {target.Name}: {source}, step {PromDuration.Format(target.Step)}, horizons {string.Join(", ", target.Horizons.Select(h => h.Label))}";
    }
}
