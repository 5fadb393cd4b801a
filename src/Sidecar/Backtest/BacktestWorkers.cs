using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sidecar.Host;

namespace Sidecar.Backtest;

/// <summary>
/// Replays the files of one <c>backtest</c> in parallel, each in a process of its own running this program
/// with <c>--jobs 1</c> on that file, and prints their reports in the order the files were given, then the
/// means over all of them.
/// </summary>
/// <remarks>
/// Processes, not threads: libtorch's random generator is process-wide, and TorchSharp's temporary scalars
/// can be freed mid-call by a collection another thread starts (docs/architecture.md), so two replays in
/// one process could change each other's numbers. A worker is the serial replay of one file, so a file's
/// numbers are the same whatever <c>--jobs</c> is.
/// </remarks>
internal static class BacktestWorkers
{
    public const string SummaryFlag = "--summary-file";

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static int Run(BacktestOptions options)
    {
        string scratch = Directory.CreateTempSubdirectory("backtest-workers-").FullName;
        try
        {
            var results = new WorkerResult?[options.Files.Count];
            int printed = 0;
            var printing = new Lock();
            Parallel.For(0, options.Files.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs }, index =>
            {
                results[index] = RunWorker(options, index, Path.Combine(scratch, $"{index}.json"));
                lock (printing)
                {
                    // Reports come out in file order, each as soon as the ones before it are out.
                    while (printed < results.Length && results[printed] is { } done)
                    {
                        Console.Error.Write(done.Errors);
                        Console.Write(done.Report);
                        printed++;
                    }
                }
            });
            var all = new List<(int File, AccuracySummary Row)>();
            for (int index = 0; index < results.Length; index++)
                all.AddRange(results[index]!.Rows.Select(row => (index, row)));
            int failed = results.Count(r => r!.ExitCode != 0);
            int replayed = results.Count(r => r!.Rows.Count > 0);
            if (replayed > 1)
            {
                Console.WriteLine($"== mean over {replayed} files");
                BacktestCommand.PrintMeans(all);
            }
            if (failed > 0)
                Console.Error.WriteLine($"backtest: {failed} of {options.Files.Count} files could not be replayed (errors above)");
            return failed > 0 ? 1 : 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Writes a worker's report rows for its parent.</summary>
    public static void WriteSummary(string path, IEnumerable<AccuracySummary> rows) =>
        File.WriteAllText(path, JsonSerializer.Serialize(rows.ToList(), Json));

    private sealed record WorkerResult(int ExitCode, string Report, string Errors, List<AccuracySummary> Rows);

    private static WorkerResult RunWorker(BacktestOptions options, int index, string summaryPath)
    {
        var (program, prefix) = ThisProgram();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in prefix.Concat(WorkerArguments(options, options.Files[index], summaryPath)))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("backtest: could not start a worker process");
        // Both streams at once, so neither pipe fills while the other is read.
        var report = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var rows = File.Exists(summaryPath)
            ? JsonSerializer.Deserialize<List<AccuracySummary>>(File.ReadAllText(summaryPath), Json) ?? []
            : [];
        string errorText = errors.Result;
        if (process.ExitCode != 0 && errorText.Length == 0)
            errorText = $"backtest: the worker for {options.Files[index]} exited with code {process.ExitCode}{Environment.NewLine}";
        return new WorkerResult(process.ExitCode, report.Result, errorText, rows);
    }

    /// <summary>
    /// How to start this program again: its own launcher when it was started by it, otherwise the dotnet host
    /// with this assembly (as <c>dotnet prometheus-forecast-sidecar.dll</c>, and when a test calls the command).
    /// </summary>
    private static (string Program, string[] Prefix) ThisProgram()
    {
        string assembly = typeof(BacktestWorkers).Assembly.Location;
        string? process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == Path.GetFileNameWithoutExtension(assembly))
            return (process, []);
        string host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? process
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return (host, [assembly]);
    }

    /// <summary>The worker's arguments for one file: the replay's own flags, one job, that file alone.</summary>
    internal static List<string> WorkerArguments(BacktestOptions options, string file, string summaryPath)
    {
        var arguments = new List<string> { "backtest" };
        void Add(string flag, string? value)
        {
            if (value is not null)
                arguments.AddRange([flag, value]);
        }
        Add("--config", options.ConfigPath);
        Add("--horizons", options.Horizons);
        Add("--step", options.Step);
        Add("--seed", options.Seed?.ToString(CultureInfo.InvariantCulture));
        Add("--baseline-range", PromDuration.Format(options.BaselineRange));
        Add("--output-dir", options.OutputDirectory);
        Add("--nab-results", options.NabResultsDirectory);
        Add("--nab-windows", options.NabWindowsPath);
        Add("--jobs", "1");
        Add(SummaryFlag, summaryPath);
        arguments.Add("--");
        arguments.Add(file);
        return arguments;
    }
}
