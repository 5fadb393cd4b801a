namespace Sidecar.Backtest;

/// <summary>What a <c>backtest</c> replays and how, as <see cref="BacktestCommandLine"/> reads it from the command line.</summary>
/// <param name="Files">The CSV files, directories already expanded to the CSV files under them.</param>
/// <param name="BaselineRange">Range of the PromQL baselines (predict_linear, holt_winters).</param>
/// <param name="NabResultsDirectory">Where to write NAB's results layout; given together with <paramref name="NabWindowsPath"/>.</param>
/// <param name="Jobs">How many files replay at once, each in a process of its own (<see cref="BacktestWorkers"/>).</param>
/// <param name="SummaryFile">Set in a worker process only: where it writes its files' report rows for the parent.</param>
/// <param name="Together">Whether the files of each directory are replayed as the series of one target (<see cref="Targets"/>).</param>
internal sealed record BacktestOptions(IReadOnlyList<string> Files, string? ConfigPath, string? Horizons, string? Step, int? Seed, string? OutputDirectory, TimeSpan BaselineRange,
    string? NabResultsDirectory = null, string? NabWindowsPath = null, int Jobs = 1, string? SummaryFile = null, bool Together = false)
{
    /// <summary>
    /// The replays to run, each a list of files replayed as the series of one target: with <see cref="Together"/>,
    /// the files that share a directory, in the order of their first file; otherwise each file alone.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<string>> Targets => Together
        ? [.. Files.GroupBy(f => Path.GetDirectoryName(Path.GetFullPath(f)), StringComparer.Ordinal).Select(g => (IReadOnlyList<string>)[.. g])]
        : [.. Files.Select(f => (IReadOnlyList<string>)[f])];
}
