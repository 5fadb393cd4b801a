using Sidecar.Host;

namespace Sidecar.Backtest;

/// <summary>
/// The <c>backtest</c> command line: <c>backtest [--config F] [--horizons 5m,1h] [--step 5m] [--seed N]
/// [--output-dir D] [--nab-results D --nab-windows combined_windows.json] FILE|DIR...</c>.
/// </summary>
internal sealed record BacktestOptions(IReadOnlyList<string> Files, string? ConfigPath, string? Horizons, string? Step, int? Seed, string? OutputDirectory, string BaselineRange,
    string? NabResultsDirectory = null, string? NabWindowsPath = null)
{
    public static BacktestOptions Parse(IReadOnlyList<string> args)
    {
        var files = new List<string>();
        string? config = null, horizons = null, step = null, output = null, range = "6h", nabResults = null, nabWindows = null;
        int? seed = null;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ConfigException($"backtest: {arg} needs a value");
            switch (arg)
            {
                case "--config": config = Value(); break;
                case "--horizons": horizons = Value(); break;
                case "--step": step = Value(); break;
                case "--output-dir": output = Value(); break;
                case "--baseline-range": range = Value(); break;
                case "--nab-results": nabResults = Value(); break;
                case "--nab-windows": nabWindows = Value(); break;
                case "--seed":
                    string text = Value();
                    seed = int.TryParse(text, out int parsed) ? parsed : throw new ConfigException($"backtest: --seed {text} is not an integer");
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal))
                        throw new ConfigException($"backtest: unknown flag {arg}");
                    files.AddRange(Expand(arg));
                    break;
            }
        }
        if (files.Count == 0)
            throw new ConfigException("backtest: give one or more CSV files (columns timestamp,value) or directories of them");
        if ((nabResults is null) != (nabWindows is null))
            throw new ConfigException("backtest: --nab-results and --nab-windows go together");
        return new BacktestOptions(files, config, horizons, step, seed, output, range, nabResults, nabWindows);
    }

    private static IEnumerable<string> Expand(string path)
    {
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path, "*.csv", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
        if (File.Exists(path))
            return [path];
        throw new ConfigException($"backtest: {path} does not exist");
    }
}
