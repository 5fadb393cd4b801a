using System.CommandLine;
using Sidecar.Host;

namespace Sidecar.Backtest;

/// <summary>
/// <c>backtest [--config F] [--horizons 5m,1h] [--step 5m] [--seed N] [--baseline-range 6h] [--output-dir D]
/// [--nab-results D --nab-windows combined_windows.json] [--jobs N] [--together] FILE|DIR...</c>, run by <see cref="BacktestCommand"/>.
/// </summary>
internal sealed class BacktestCommandLine
{
    private readonly ValueFlag<string?> _config = new("--config", "PATH",
        "sidecar config whose first target gives the model, anomaly and schedule settings [default: the defaults, min_history 1d, fit_every 1d, fit_window 7d]",
        null, FlagValues.Text);

    private readonly ValueFlag<string?> _horizons = new("--horizons", "LIST", "forecast horizons, comma-separated, e.g. 5m,1h [default: one step and 12 steps]", null, FlagValues.Text);

    private readonly ValueFlag<string?> _step = new("--step", "DURATION", "step of the replayed series [default: the median spacing of the file's timestamps]", null, FlagValues.Text);

    private readonly ValueFlag<int?> _seed = new("--seed", "N", "seed of the model's initialisation and sampling [default: the config's, 42]", null, text => FlagValues.Integer(text));

    private readonly ValueFlag<TimeSpan> _baselineRange = new("--baseline-range", "DURATION", "range of the PromQL baselines, as in predict_linear(v[6h], ...)", "6h", FlagValues.PositiveDuration);

    private readonly ValueFlag<string?> _outputDirectory = new("--output-dir", "DIR", "write one CSV per input with the row-by-row outputs", null, FlagValues.Text);

    private readonly ValueFlag<string?> _nabResults = new("--nab-results", "DIR", "write NAB's results layout for its scorer (with --nab-windows)", null, FlagValues.Text);

    private readonly ValueFlag<string?> _nabWindows = new("--nab-windows", "PATH", "NAB's combined_windows.json, for the labels of --nab-results", null, FlagValues.Text);

    private readonly ValueFlag<int> _jobs = new("--jobs", "N", "files replayed at once (one per core unless given), each in a process of its own; the numbers don't depend on it",
        Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), FlagValues.PositiveInteger);

    private readonly Option<bool> _together = SwitchFlag.Create("--together",
        "replay the CSV files of each directory as the series of one target, as production has (one model across them, forecasts batched), instead of each file alone");

    // Between a parent and the worker processes it starts (BacktestWorkers): not for users, so hidden from --help.
    private readonly ValueFlag<string?> _summaryFile = new(BacktestWorkers.SummaryFlag, "PATH", "where a worker writes its report rows", null, FlagValues.Text);

    private readonly Argument<string[]> _files = new("FILE|DIR")
    {
        Description = "CSV files (columns timestamp,value) or directories, searched for *.csv",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Command Create()
    {
        var command = new Command("backtest", "Replay CSV files through the serving code and report forecast accuracy and anomaly scores against baselines")
        {
            _config.Option, _horizons.Option, _step.Option, _seed.Option, _baselineRange.Option, _outputDirectory.Option,
            _nabResults.Option, _nabWindows.Option, _jobs.Option, _together, _summaryFile.Option, _files,
        };
        _summaryFile.Option.Hidden = true;
        command.Validators.Add(result =>
        {
            string[] paths = result.GetValue(_files) ?? [];
            if (paths.Length == 0)
                result.AddError("give one or more CSV files (columns timestamp,value) or directories of them");
            foreach (string path in paths.Where(p => !File.Exists(p) && !Directory.Exists(p)))
                result.AddError($"{path} does not exist");
            if ((result.GetValue(_nabResults.Option) is null) != (result.GetValue(_nabWindows.Option) is null))
                result.AddError("--nab-results and --nab-windows go together");
        });
        command.SetAction(result => BacktestCommand.Run(Read(result)));
        return command;
    }

    public BacktestOptions Read(ParseResult result) => new(
        [.. (result.GetValue(_files) ?? []).SelectMany(CsvFilesAt)],
        _config.Read(result),
        _horizons.Read(result),
        _step.Read(result),
        _seed.Read(result),
        _outputDirectory.Read(result),
        _baselineRange.Read(result),
        _nabResults.Read(result),
        _nabWindows.Read(result),
        _jobs.Read(result),
        _summaryFile.Read(result),
        result.GetValue(_together));

    private static IEnumerable<string> CsvFilesAt(string path) =>
        Directory.Exists(path) ? Directory.EnumerateFiles(path, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : [path];
}
