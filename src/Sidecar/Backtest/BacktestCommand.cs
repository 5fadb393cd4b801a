using System.Globalization;
using Microsoft.Extensions.Logging;
using Sidecar.Host;
using TorchSharp;

namespace Sidecar.Backtest;

/// <summary>
/// <c>backtest</c>: replays CSV files through the serving code and reports, per horizon, how the LSTM
/// compares with the baselines (MAE, MASE, sMAPE, interval coverage and width), per file and as the
/// mean over files. Each file is a target of its own, or with <c>--together</c> the files of a directory
/// are the series of one target. With <c>--output-dir</c> it writes one CSV per input with the row-by-row outputs.
/// A file that can't be read is reported and skipped, the others still run, and the exit code is 1.
/// </summary>
internal static class BacktestCommand
{
    public static int Run(BacktestOptions options)
    {
        var targets = options.Targets;
        if (options.Jobs > 1 && targets.Count > 1)
            return BacktestWorkers.Run(options);
        // One thread: the same seed then gives the same numbers.
        torch.set_num_threads(1);
        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        var logger = loggers.CreateLogger("backtest");
        if (options.OutputDirectory is not null)
            Directory.CreateDirectory(options.OutputDirectory);

        var nab = options.NabResultsDirectory is null ? null : NabResults.Load(options.NabResultsDirectory, options.NabWindowsPath!);
        var all = new List<(int File, AccuracySummary Row)>();
        var perFile = new List<AccuracySummary>[options.Files.Count];
        int failed = 0, fileIndex = 0;
        foreach (var paths in targets)
        {
            int firstIndex = fileIndex;
            fileIndex += paths.Count;
            var read = new List<(int Index, CsvSeries Csv)>();
            for (int i = 0; i < paths.Count; i++)
            {
                try
                {
                    var csv = CsvSeries.Read(paths[i]);
                    if (csv.DroppedWarning is { } warning)
                        Console.Error.WriteLine("warning: " + warning);
                    read.Add((firstIndex + i, csv));
                }
                catch (Exception e) when (e is CsvFormatException or IOException)
                {
                    // One bad file costs its own results, not those of the files beside or after it.
                    Console.Error.WriteLine(e.Message);
                    failed++;
                }
            }
            if (read.Count == 0)
                continue;
            try
            {
                Replay(options, [.. read.Select(r => r.Csv)], nab, logger, (file, rows) =>
                {
                    int index = read[file].Index;
                    perFile[index] = rows;
                    all.AddRange(rows.Select(r => (index, r)));
                });
            }
            catch (ConfigException e)
            {
                Console.Error.WriteLine(e.Message);
                failed += read.Count;
            }
        }
        if (options.SummaryFile is not null)
            BacktestWorkers.WriteSummary(options.SummaryFile, perFile);
        int replayed = perFile.Count(rows => rows is not null);
        // A worker's parent prints the means over all the workers' files.
        if (replayed > 1 && options.SummaryFile is null)
        {
            Console.WriteLine($"== mean over {replayed} files");
            PrintMeans(all);
        }
        if (failed > 0)
            Console.Error.WriteLine($"backtest: {failed} of {options.Files.Count} files could not be replayed (errors above)");
        return failed > 0 ? 1 : 0;
    }

    /// <summary>Replays <paramref name="files"/> as one target and prints each file's report.</summary>
    private static void Replay(BacktestOptions options, CsvSeries[] files, NabResults? nab, ILogger logger, Action<int, List<AccuracySummary>> reported)
    {
        var settings = BacktestSettings.For(options, files);
        var outputs = new StreamWriter?[files.Length];
        try
        {
            for (int i = 0; i < files.Length && options.OutputDirectory is not null; i++)
                outputs[i] = new StreamWriter(Path.Combine(options.OutputDirectory, Path.GetFileName(files[i].Source)));
            var scores = files.Select(f => new RowScores(f.Values.Length)).ToArray();
            var accuracies = new BacktestRun(settings, files, options.BaselineRange, logger).RunAll(outputs, scores);
            string together = files.Length > 1 ? $", one of {files.Length} series of one target" : "";
            for (int i = 0; i < files.Length; i++)
            {
                nab?.Write(files[i].Source, files[i], scores[i]);
                var rows = Summaries(accuracies[i]);
                reported(i, rows);
                Console.WriteLine($"== {files[i].Source} ({files[i].Values.Length} rows, step {PromDuration.Format(TimeSpan.FromMilliseconds(files[i].StepMs))}{together})");
                Print(rows, settings.Targets[0]);
            }
        }
        finally
        {
            foreach (var output in outputs)
                output?.Dispose();
        }
    }

    private static List<AccuracySummary> Summaries(ForecastAccuracy accuracy)
    {
        var rows = new List<AccuracySummary>();
        for (int h = 0; h < accuracy.HorizonSteps.Length; h++)
        {
            for (int m = 0; m < accuracy.Models.Count; m++)
                rows.Add(accuracy.Summarise(m, h));
        }
        return rows;
    }

    private static void Print(List<AccuracySummary> rows, TargetSettings target)
    {
        Console.WriteLine("horizon  model                         n      MAE          MASE    sMAPE   coverage  width");
        foreach (var r in rows)
        {
            string horizon = target.Horizons.First(h => h.Steps == r.HorizonSteps).Label;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{horizon,-8} {r.Model,-28} {r.Count,6} {r.MeanAbsoluteError,12:G5} {r.MeanAbsoluteScaledError,7:F3} {r.SymmetricMeanAbsolutePercentageError,7:F3} {Blank(r.IntervalCoverage, "P1"),9} {Blank(r.MeanIntervalWidth, "G4"),8}"));
        }
    }

    internal static void PrintMeans(List<(int File, AccuracySummary Row)> rows)
    {
        // gmean_relMAE: each file's MAE over seasonal naive's on the same outcomes, geometric mean over files.
        // gmean_width: the interval's mean width in the same unit (multiples of naive's MAE), so files in
        // bytes and in percent can be averaged.
        var reference = rows.Where(r => r.Row.Model == RelativeError.Reference)
            .ToDictionary(r => (r.File, r.Row.HorizonSteps), r => r.Row.MeanAbsoluteError);
        Console.WriteLine("horizon_steps  model                         files  mean_MASE  gmean_relMAE  mean_sMAPE  mean_coverage  gmean_width");
        foreach (var group in rows.GroupBy(r => (r.Row.HorizonSteps, r.Row.Model)))
        {
            var scored = group.Select(g => g.Row).Where(r => r.Count > 0 && !double.IsNaN(r.MeanAbsoluteScaledError)).ToList();
            double mase = scored.Count == 0 ? double.NaN : scored.Average(r => r.MeanAbsoluteScaledError);
            double smape = scored.Count == 0 ? double.NaN : scored.Average(r => r.SymmetricMeanAbsolutePercentageError);
            double relative = RelativeError.GeometricMean(group.Where(g => g.Row.Count > 0)
                .Select(g => (g.Row.MeanAbsoluteError, reference.GetValueOrDefault((g.File, g.Row.HorizonSteps), double.NaN))));
            var covered = group.Select(g => g.Row).Where(r => r.IntervalCount > 0).ToList();
            double coverage = covered.Count == 0 ? double.NaN : covered.Average(r => r.IntervalCoverage);
            double width = RelativeError.GeometricMean(group.Where(g => g.Row.IntervalCount > 0)
                .Select(g => (g.Row.MeanIntervalWidth, reference.GetValueOrDefault((g.File, g.Row.HorizonSteps), double.NaN))));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{group.Key.HorizonSteps,13}  {group.Key.Model,-28} {scored.Count,5}  {mase,9:F3}  {relative,12:F3}  {smape,10:F3}  {Blank(coverage, "P1"),13}  {Blank(width, "F3"),11}"));
        }
    }

    private static string Blank(double value, string format) =>
        double.IsNaN(value) ? "-" : value.ToString(format, CultureInfo.InvariantCulture);
}
