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

    public static SidecarSettings For(BacktestOptions options, CsvSeries csv) => For(options, [csv]);

    /// <summary>The config of a replay of <paramref name="files"/> as the series of one target.</summary>
    /// <exception cref="ConfigException">The files' steps differ and no <c>--step</c> is given, or the config is invalid.</exception>
    public static SidecarSettings For(BacktestOptions options, IReadOnlyList<CsvSeries> files)
    {
        if (files.Count == 0)
            throw new ArgumentException("backtest: a replay needs at least one file", nameof(files));
        if (options.Step is null && files.Select(f => f.StepMs).Distinct().Count() > 1)
        {
            throw new ConfigException("backtest: the files replayed as one target have different steps ("
                + string.Join(", ", files.Select(f => $"{Path.GetFileName(f.Source)}: {PromDuration.Format(TimeSpan.FromMilliseconds(f.StepMs))}"))
                + "); give --step");
        }
        CsvSeries csv = files[0];
        var invariant = CultureInfo.InvariantCulture;
        ConfigFile file = options.ConfigPath is null
            ? new ConfigFile()
            : ConfigLoader.Parse(File.ReadAllText(options.ConfigPath), options.ConfigPath);
        TargetSection? configured = file.Targets.FirstOrDefault();
        TargetSection target = configured ?? new TargetSection();
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
        if (configured is null)
        {
            // Without a config: refit daily once a day of history exists (more where the step is long
            // and the split needs more steps), on up to a week (or twice the minimum), as a small
            // production target would.
            long stepMs = (long)stepSpan.TotalMilliseconds;
            int longest = target.Horizons.Max(h => PromDuration.TryParse(h, out TimeSpan span) ? (int)(span.TotalMilliseconds / stepMs) : 1);
            double validationFraction = target.Model.ValidationFraction;
            long neededMs = ((long)Math.Ceiling((target.Model.Window + longest) / validationFraction) + 1) * stepMs;
            long minHistoryMs = Math.Max(86_400_000L, neededMs);
            long fitWindowMs = Math.Max(7 * 86_400_000L, 2 * minHistoryMs);
            target.Model.FitEvery = "1d";
            target.Model.MinHistory = PromDuration.Format(TimeSpan.FromMilliseconds(minHistoryMs));
            target.Model.FitWindow = PromDuration.Format(TimeSpan.FromMilliseconds(fitWindowMs));
        }
        // The whole file fits in the history, so the replay never forgets what a run could train on.
        var filled = files.Where(f => f.TimestampsMs.Length > 0).ToList();
        long spanMs = filled.Count == 0 ? 0 : filled.Max(f => f.LastTimestampMs) - filled.Min(f => f.TimestampsMs[0]);
        target.History = string.Create(invariant, $"{Math.Max(8 * 86_400_000L, spanMs + 2 * (long)stepSpan.TotalMilliseconds) / 1000}s");
        if (options.Seed is int seed)
            target.Model.Seed = seed;
        file.Targets = [target];
        file.Demo = new DemoSection { Mode = "off" };
        file.Prometheus = new PrometheusSection();
        return ConfigValidator.Validate(file, options.ConfigPath ?? "backtest");
    }
}
