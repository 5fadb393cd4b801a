namespace Sidecar.Backtest;

/// <summary>What a <c>backtest</c> replays and how, as <see cref="BacktestCommandLine"/> reads it from the command line.</summary>
/// <param name="Files">The CSV files, directories already expanded to the CSV files under them.</param>
/// <param name="BaselineRange">Range of the PromQL baselines (predict_linear, holt_winters).</param>
/// <param name="NabResultsDirectory">Where to write NAB's results layout; given together with <paramref name="NabWindowsPath"/>.</param>
/// <param name="Jobs">How many files replay at once, each in a process of its own (<see cref="BacktestWorkers"/>).</param>
/// <param name="SummaryFile">Set in a worker process only: where it writes its file's report rows for the parent.</param>
internal sealed record BacktestOptions(IReadOnlyList<string> Files, string? ConfigPath, string? Horizons, string? Step, int? Seed, string? OutputDirectory, TimeSpan BaselineRange,
    string? NabResultsDirectory = null, string? NabWindowsPath = null, int Jobs = 1, string? SummaryFile = null);
