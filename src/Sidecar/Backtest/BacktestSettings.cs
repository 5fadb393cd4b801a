using System.Globalization;
using Sidecar.Host;

namespace Sidecar.Backtest;

/// <summary>
/// The config a replay runs under: the first target of <c>--config</c> (or the defaults), pointed at the
/// replayed series, with the step and horizons of the flags, and a history long enough for the file.
/// Validated like any config, so a replay can't run settings the sidecar would refuse.
/// </summary>
internal static class BacktestSettings
{
    public const string MetricName = "backtest_value";

    public static SidecarSettings For(BacktestOptions options, CsvSeries csv)
    {
        var invariant = CultureInfo.InvariantCulture;
        ConfigFile file = options.ConfigPath is null
            ? new ConfigFile()
            : ConfigLoader.Parse(File.ReadAllText(options.ConfigPath), options.ConfigPath);
        TargetSection target = file.Targets.FirstOrDefault() ?? new TargetSection
        {
            // Without a config: refit daily once a day of history exists, as a small production target would.
            Model = new ModelSection { FitEvery = "1d", MinHistory = "1d", FitWindow = "7d" },
        };
        string step = options.Step ?? PromDuration.Format(TimeSpan.FromMilliseconds(csv.StepMs));
        if (!PromDuration.TryParse(step, out TimeSpan stepSpan))
            throw new ConfigException($"backtest: --step {step} is not a duration");
        target.Name = "backtest";
        target.Selector = MetricName;
        target.Query = null;
        target.Type = "gauge";
        target.Step = step;
        target.Horizons = options.Horizons is not null
            ? [.. options.Horizons.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)]
            : [step, PromDuration.Format(stepSpan * 12)];
        // The whole file fits in the history, so the replay never forgets what a run could train on.
        long spanMs = csv.TimestampsMs.Length == 0 ? 0 : csv.TimestampsMs[^1] - csv.TimestampsMs[0];
        target.History = string.Create(invariant, $"{Math.Max(8 * 86_400_000L, spanMs + 2 * (long)stepSpan.TotalMilliseconds) / 1000}s");
        if (options.Seed is int seed)
            target.Model.Seed = seed;
        file.Targets = [target];
        file.Demo = new DemoSection { Mode = "off" };
        file.Prometheus = new PrometheusSection();
        return ConfigValidator.Validate(file, options.ConfigPath ?? "backtest");
    }
}
