using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Sidecar.Host;

namespace Sidecar.Backtest;

/// <summary>
/// Replays the targets of one <c>backtest</c> (each file, or with <c>--together</c> each directory's files) in
/// parallel, each in a process of its own running this program with <c>--jobs 1</c> on that target's files, and
/// prints their reports in the order the files were given, then the means over all of them.
/// </summary>
/// <remarks>
/// Processes, not threads: libtorch's random generator is process-wide, and TorchSharp's temporary scalars
/// can be freed mid-call by a collection another thread starts (docs/architecture.md), so two replays in
/// one process could change each other's numbers. A worker is the serial replay of one target, so a file's
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
            var targets = options.Targets;
            var results = new WorkerResult?[targets.Count];
            int printed = 0;
            var printing = new Lock();
            Parallel.For(0, targets.Count, new ParallelOptions { MaxDegreeOfParallelism = options.Jobs }, index =>
            {
                results[index] = RunWorker(options, targets[index], Path.Combine(scratch, $"{index}.json"));
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
            int fileIndex = 0, failedFiles = 0;
            for (int t = 0; t < targets.Count; t++)
            {
                for (int i = 0; i < targets[t].Count; i++, fileIndex++)
                {
                    var rows = i < results[t]!.Files.Count ? results[t]!.Files[i] : null;
                    if (rows is null)
                        failedFiles++;
                    else
                        all.AddRange(rows.Select(row => (fileIndex, row)));
                }
            }
            int replayed = fileIndex - failedFiles;
            if (replayed > 1)
            {
                Console.WriteLine($"== mean over {replayed} files");
                BacktestCommand.PrintMeans(all);
            }
            if (failedFiles > 0)
                Console.Error.WriteLine($"backtest: {failedFiles} of {options.Files.Count} files could not be replayed (errors above)");
            return failedFiles > 0 || results.Any(r => r!.ExitCode != 0) ? 1 : 0;
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Writes a worker's report rows for its parent: per file, in the order given, null for a file that could not be replayed.</summary>
    public static void WriteSummary(string path, IReadOnlyList<List<AccuracySummary>?> files) =>
        File.WriteAllText(path, JsonSerializer.Serialize(files, Json));

    private sealed record WorkerResult(int ExitCode, string Report, string Errors, List<List<AccuracySummary>?> Files);

    private static WorkerResult RunWorker(BacktestOptions options, IReadOnlyList<string> files, string summaryPath)
    {
        var (program, prefix) = ThisProgram();
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in prefix.Concat(WorkerArguments(options, files, summaryPath)))
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("backtest: could not start a worker process");
        // Both streams at once, so neither pipe fills while the other is read.
        var report = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var rows = File.Exists(summaryPath)
            ? JsonSerializer.Deserialize<List<List<AccuracySummary>?>>(File.ReadAllText(summaryPath), Json) ?? []
            : [];
        string errorText = errors.Result;
        if (process.ExitCode != 0 && errorText.Length == 0)
            errorText = $"backtest: the worker for {string.Join(", ", files)} exited with code {process.ExitCode}{Environment.NewLine}";
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

    /// <summary>The worker's arguments for one target: the replay's own flags, one job, that target's files alone.</summary>
    internal static List<string> WorkerArguments(BacktestOptions options, IReadOnlyList<string> files, string summaryPath)
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
        if (options.Together)
            arguments.Add("--together");
        arguments.Add("--");
        arguments.AddRange(files);
        return arguments;
    }
}
