using Sidecar.Store;

namespace Sidecar.Host;

/// <summary>Turns the raw YAML shape into <see cref="SidecarSettings"/>, collecting every error with its key.</summary>
internal static class ConfigValidator
{
    /// <summary>
    /// The longest daily season <c>model.combine: holt_winters</c> keeps per series (a 1-minute step): each
    /// step of it is a number per series in memory and a parameter in each fit.
    /// </summary>
    internal const int MaxCombinedDaySteps = 1440;

    /// <param name="baseDirectory">Where relative file paths (secrets, certificates) start; the config file's directory.</param>
    public static SidecarSettings Validate(ConfigFile file, string source, string? baseDirectory = null)
    {
        var errors = new List<string>(file.UnknownKeys);
        var limits = new LimitSettings(
            Positive(errors, "limits.max_series", file.Limits.MaxSeries),
            Positive(errors, "limits.max_body_bytes", file.Limits.MaxBodyBytes),
            Positive(errors, "limits.max_decoded_bytes", file.Limits.MaxDecodedBytes),
            Positive(errors, "limits.max_inflight_requests", file.Limits.MaxInflightRequests))
        {
            Connections = ValidateConnectionLimits(file.Limits, errors),
        };

        DemoMode demo = DemoMode.Auto;
        if (!Enum.TryParse(file.Demo.Mode, ignoreCase: true, out demo) || !Enum.IsDefined(demo))
            errors.Add($"demo.mode: '{file.Demo.Mode}' is not one of auto, on, off");

        var prometheus = ValidatePrometheus(file.Prometheus, errors) with
        {
            Http = Security.PrometheusHttpValidator.Validate(file.Prometheus, baseDirectory ?? Directory.GetCurrentDirectory(), errors),
        };
        TimeSpan snapshotInterval = Duration(errors, "storage.snapshot_interval", file.Storage.SnapshotInterval, TimeSpan.FromMinutes(5));

        var compute = new ComputeSettings(
            Positive(errors, "compute.training_threads", file.Compute.TrainingThreads),
            Positive(errors, "compute.inference_threads", file.Compute.InferenceThreads));

        var targets = new List<TargetSettings>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < file.Targets.Count; i++)
        {
            var target = ValidateTarget(file.Targets[i], $"targets[{i}]", errors);
            if (target is null)
                continue;
            if (!names.Add(target.Name))
                errors.Add($"targets[{i}].name: '{target.Name}' is used by another target");
            if (target.Query is not null && prometheus.BaseUrl is null)
                errors.Add($"targets[{i}].query: needs prometheus.url to run against");
            targets.Add(target);
        }

        if (errors.Count > 0)
            throw new ConfigException($"{source}: invalid configuration:\n  " + string.Join("\n  ", errors));
        return new SidecarSettings(limits, demo, prometheus, snapshotInterval, compute, targets);
    }

    private static ConnectionLimitSettings ValidateConnectionLimits(LimitsSection l, List<string> errors)
    {
        if (l.MinBodyBytesPerSecond < 0)
            errors.Add($"limits.min_body_bytes_per_second: {l.MinBodyBytesPerSecond} must not be negative (0 turns the check off)");
        return new ConnectionLimitSettings(
            Positive(errors, "limits.max_header_bytes", l.MaxHeaderBytes),
            Positive(errors, "limits.max_headers", l.MaxHeaders),
            Duration(errors, "limits.header_read_timeout", l.HeaderReadTimeout, ConnectionLimitSettings.Default.HeaderReadTimeout),
            l.MinBodyBytesPerSecond,
            Positive(errors, "limits.max_connections", l.MaxConnections),
            Duration(errors, "limits.write_body_timeout", l.WriteBodyTimeout, ConnectionLimitSettings.Default.WriteBodyTimeout));
    }

    private static PrometheusSettings ValidatePrometheus(PrometheusSection p, List<string> errors)
    {
        TimeSpan timeout = Duration(errors, "prometheus.timeout", p.Timeout, TimeSpan.FromMinutes(1));
        TimeSpan page = Duration(errors, "prometheus.backfill_page", p.BackfillPage, TimeSpan.FromHours(6));
        Positive(errors, "prometheus.max_frame_bytes", p.MaxFrameBytes);
        // A trailing slash makes relative paths such as api/v1/read land under the base path.
        Uri? baseUrl = HttpUrl(errors, "prometheus.url", p.Url.EndsWith('/') ? p.Url : p.Url + "/");
        Uri? readUrl = HttpUrl(errors, "prometheus.remote_read_url", p.RemoteReadUrl);
        if (readUrl is null && baseUrl is not null)
            readUrl = new Uri(baseUrl, "api/v1/read");
        return new PrometheusSettings(baseUrl, readUrl, timeout, p.Backfill && readUrl is not null, page, p.MaxFrameBytes);
    }

    private static Uri? HttpUrl(List<string> errors, string key, string text)
    {
        if (string.IsNullOrWhiteSpace(text.TrimEnd('/')))
            return null;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https")
            return url;
        errors.Add($"{key}: '{text}' is not an http:// or https:// URL");
        return null;
    }

    private static TargetSettings? ValidateTarget(TargetSection t, string key, List<string> errors)
    {
        int before = errors.Count;
        if (string.IsNullOrWhiteSpace(t.Name))
            errors.Add($"{key}.name: required");
        Selector? selector = null;
        bool hasSelector = !string.IsNullOrWhiteSpace(t.Selector), hasQuery = !string.IsNullOrWhiteSpace(t.Query);
        if (hasSelector == hasQuery)
        {
            errors.Add($"{key}: give exactly one of selector (remote-written series) or query (PromQL, polled)");
        }
        else if (hasSelector)
        {
            try
            {
                selector = SelectorParser.Parse(t.Selector!);
            }
            catch (FormatException e)
            {
                errors.Add($"{key}.selector: {e.Message}");
            }
        }
        TimeSpan step = Duration(errors, $"{key}.step", t.Step, TimeSpan.Zero);
        if (step > TimeSpan.Zero && step < TimeSpan.FromSeconds(1))
            errors.Add($"{key}.step: {t.Step} is shorter than the 1s minimum");

        var horizons = new List<Horizon>();
        if (t.Horizons.Count == 0)
            errors.Add($"{key}.horizons: at least one horizon is required");
        for (int h = 0; h < t.Horizons.Count; h++)
        {
            TimeSpan horizon = Duration(errors, $"{key}.horizons[{h}]", t.Horizons[h], TimeSpan.Zero);
            if (step <= TimeSpan.Zero || horizon <= TimeSpan.Zero)
                continue;
            if (horizon.Ticks % step.Ticks != 0)
                errors.Add($"{key}.horizons[{h}]: {t.Horizons[h]} is not a whole number of steps of {t.Step}");
            else if (horizons.Any(x => x.Label == t.Horizons[h]))
                errors.Add($"{key}.horizons[{h}]: {t.Horizons[h]} is listed twice");
            else
                horizons.Add(new Horizon(t.Horizons[h], (int)(horizon.Ticks / step.Ticks)));
        }

        var m = t.Model;
        TimeSpan history = Duration(errors, $"{key}.history", t.History, TimeSpan.Zero);
        TimeSpan fitWindow = Duration(errors, $"{key}.model.fit_window", m.FitWindow, TimeSpan.Zero);
        TimeSpan fitEvery = Duration(errors, $"{key}.model.fit_every", m.FitEvery, TimeSpan.Zero);
        TimeSpan fallbackRange = Duration(errors, $"{key}.model.fallback_range", m.FallbackRange, TimeSpan.Zero);
        string? fallback = m.Fallback == "none" ? null : m.Fallback;
        if (fallback is not null && !Sidecar.Model.Baselines.BaselineCatalog.Names.Contains(fallback))
            errors.Add($"{key}.model.fallback: '{m.Fallback}' is not one of none, {string.Join(", ", Sidecar.Model.Baselines.BaselineCatalog.Names)}");
        Positive(errors, $"{key}.series_timeout_steps", t.SeriesTimeoutSteps);
        TimeSpan forgetAfter = t.ForgetAfter is null ? TimeSpan.Zero : Duration(errors, $"{key}.forget_after", t.ForgetAfter, TimeSpan.Zero);
        if (forgetAfter > TimeSpan.Zero && step > TimeSpan.Zero && forgetAfter < step * t.SeriesTimeoutSteps)
            errors.Add($"{key}.forget_after: {t.ForgetAfter} is shorter than series_timeout_steps ({t.SeriesTimeoutSteps} steps of {t.Step}); a series would be forgotten while its gauges still show");
        if (!Enum.TryParse(t.Type, ignoreCase: true, out SeriesValueType valueType) || !Enum.IsDefined(valueType) || char.IsDigit(t.Type.FirstOrDefault()))
            errors.Add($"{key}.type: '{t.Type}' is not one of auto, counter, gauge");
        if (!Enum.TryParse(t.Aggregation, ignoreCase: true, out StepAggregation aggregation) || !Enum.IsDefined(aggregation) || char.IsDigit(t.Aggregation.FirstOrDefault()))
            errors.Add($"{key}.aggregation: '{t.Aggregation}' is not one of last, mean");
        if (t.MaxSeries < 0)
            errors.Add($"{key}.max_series: {t.MaxSeries} must not be negative (0 means only the global limit)");
        Positive(errors, $"{key}.model.window", m.Window);
        Positive(errors, $"{key}.model.hidden_size", m.HiddenSize);
        Positive(errors, $"{key}.model.layers", m.Layers);
        Positive(errors, $"{key}.model.max_epochs", m.MaxEpochs);
        Positive(errors, $"{key}.model.patience", m.Patience);
        Positive(errors, $"{key}.model.batch_size", m.BatchSize);
        Positive(errors, $"{key}.model.max_steps_per_epoch", m.MaxStepsPerEpoch);
        var quantiles = m.Quantiles ?? [];
        if (quantiles.Count == 0 || quantiles.Any(q => !(q > 0 && q < 1)) || !quantiles.Contains(0.5)
            || quantiles.Zip(quantiles.Skip(1)).Any(pair => pair.First >= pair.Second))
            errors.Add($"{key}.model.quantiles: [{string.Join(", ", quantiles)}] must be increasing levels in (0, 1) that include 0.5");
        if (!(m.LearningRate > 0 && m.LearningRate < 1))
            errors.Add($"{key}.model.learning_rate: {m.LearningRate} must be in (0, 1)");
        if (!(m.ValidationFraction > 0 && m.ValidationFraction < 0.9))
            errors.Add($"{key}.model.validation_fraction: {m.ValidationFraction} must be in (0, 0.9)");
        if (!Enum.TryParse(m.Scope, ignoreCase: true, out ModelScope scope) || !Enum.IsDefined(scope) || char.IsDigit(m.Scope.FirstOrDefault()))
            errors.Add($"{key}.model.scope: '{m.Scope}' is not one of target, series");
        bool seasonFits = step > TimeSpan.Zero && TimeSpan.FromDays(1).Ticks % step.Ticks == 0 && TimeSpan.FromDays(1) / step <= MaxCombinedDaySteps;
        ModelCombination combine = m.Combine switch
        {
            // The default, chosen on the development traces, where the mix beat the LSTM alone at every horizon (docs/accuracy.md).
            null => seasonFits ? ModelCombination.HoltWinters : ModelCombination.None,
            "none" => ModelCombination.None,
            "holt_winters" => ModelCombination.HoltWinters,
            _ => (ModelCombination)(-1),
        };
        if (!Enum.IsDefined(combine))
            errors.Add($"{key}.model.combine: '{m.Combine}' is not one of none, holt_winters");
        else if (combine == ModelCombination.HoltWinters && step > TimeSpan.Zero && !seasonFits)
            errors.Add($"{key}.model.combine: holt_winters needs a step that divides a day into at most {MaxCombinedDaySteps} steps (a step of 1m or longer), for the daily season each series keeps; {t.Step} does not");
        var covariates = m.Features.Covariates ?? [];
        var covariatesBy = m.Features.CovariatesBy ?? [];
        if (covariates.Count > 0 && covariatesBy.Count == 0)
            errors.Add($"{key}.model.features.covariates_by: needed with covariates, e.g. [instance]");
        if (covariates.Any(string.IsNullOrWhiteSpace) || covariates.Distinct().Count() != covariates.Count)
            errors.Add($"{key}.model.features.covariates: [{string.Join(", ", covariates)}] must be distinct metric names");
        CapacitySettings? capacity = null;
        if (t.Capacity is { } c)
        {
            if (c.Threshold is not double threshold || !double.IsFinite(threshold))
                errors.Add($"{key}.capacity.threshold: required, a finite number");
            else if (c.Direction is not ("above" or "below"))
                errors.Add($"{key}.capacity.direction: '{c.Direction}' is not one of above, below");
            else
                capacity = new CapacitySettings(threshold, c.Direction == "above");
        }
        var a = t.Anomaly;
        if (!(a.Sigmas > 0))
            errors.Add($"{key}.anomaly.sigmas: {a.Sigmas} must be positive");
        Positive(errors, $"{key}.anomaly.scale_steps", a.ScaleSteps);
        if (a.WarmupSteps < 0)
            errors.Add($"{key}.anomaly.warmup_steps: {a.WarmupSteps} must not be negative");
        if (!Enum.TryParse(a.Direction, ignoreCase: true, out AnomalyDirection direction) || !Enum.IsDefined(direction) || char.IsDigit(a.Direction.FirstOrDefault()))
            errors.Add($"{key}.anomaly.direction: '{a.Direction}' is not one of both, above, below");
        if (!(a.MinDeviation >= 0) || !(a.MinRelativeDeviation >= 0))
            errors.Add($"{key}.anomaly.min_deviation, min_relative_deviation: must not be negative");
        if (a.ShiftSteps < 0)
            errors.Add($"{key}.anomaly.shift_steps: {a.ShiftSteps} must not be negative (0 turns shift scoring off)");
        TimeSpan surpriseWindow = DurationOrZero(errors, $"{key}.anomaly.surprise_window", a.SurpriseWindow);
        int surpriseSteps = step > TimeSpan.Zero ? (int)Math.Min(int.MaxValue, surpriseWindow.Ticks / step.Ticks) : 0;
        if (surpriseWindow > TimeSpan.Zero && step > TimeSpan.Zero && surpriseSteps < 4)
            errors.Add($"{key}.anomaly.surprise_window: {a.SurpriseWindow} is {surpriseSteps} steps; at least 4 are needed (0 turns it off)");
        NoveltySettings? novelty = Novelty(errors, key, a, step, history);

        if (errors.Count > before)
            return null;

        int StepsOf(TimeSpan span) => (int)Math.Min(int.MaxValue, span.Ticks / step.Ticks);
        // The chronological split needs a window plus the longest horizon in each part, validation included.
        int span = m.Window + horizons.Max(h => h.Steps);
        int needed = (int)Math.Ceiling(span / m.ValidationFraction) + 1;
        int minHistory = needed;
        if (m.MinHistory is not null)
        {
            TimeSpan minHistorySpan = Duration(errors, $"{key}.model.min_history", m.MinHistory, TimeSpan.Zero);
            minHistory = StepsOf(minHistorySpan);
            if (minHistory < needed)
            {
                errors.Add($"{key}.model.min_history: {m.MinHistory} is {minHistory} steps; at least {needed} are needed so that "
                    + $"the validation part ({m.ValidationFraction * 100:0.#}%) holds the window ({m.Window}) plus the longest horizon ({span - m.Window} steps)");
            }
        }
        int historySteps = StepsOf(history);
        int fitWindowSteps = StepsOf(fitWindow);
        if (historySteps < minHistory)
            errors.Add($"{key}.history: {t.History} is {historySteps} steps, shorter than min_history ({minHistory} steps)");
        if (fitWindowSteps < minHistory)
            errors.Add($"{key}.model.fit_window: {m.FitWindow} is {fitWindowSteps} steps, shorter than min_history ({minHistory} steps)");
        if (errors.Count > before)
            return null;

        return new TargetSettings(
            t.Name!.Trim(),
            selector,
            hasQuery ? t.Query!.Trim() : null,
            step,
            horizons,
            historySteps,
            t.SeriesTimeoutSteps,
            t.MaxSeries,
            valueType,
            aggregation,
            new ModelSettings(m.Window, m.HiddenSize, m.Layers, m.LearningRate, m.MaxEpochs, m.Patience, m.BatchSize,
                m.MaxStepsPerEpoch, m.ValidationFraction, minHistory, fitEvery, Math.Min(fitWindowSteps, historySteps), [.. quantiles],
                new FeatureSettings(m.Features.Calendar, m.Features.SeasonalLags, m.Features.SeasonalLags,
                    covariates.Count == 0 ? null : new CovariateSettings([.. covariates], [.. covariatesBy]), m.Features.SmoothedLevels),
                fallback, Math.Max(2, StepsOf(fallbackRange)), m.Seed, scope, combine),
            new AnomalySettings(a.Sigmas, a.ScaleSteps, a.WarmupSteps, direction, a.MinDeviation, a.MinRelativeDeviation, a.ShiftSteps, surpriseSteps, novelty),
            capacity,
            (long)forgetAfter.TotalMilliseconds);
    }

    private static NoveltySettings? Novelty(List<string> errors, string key, AnomalySection a, TimeSpan step, TimeSpan history)
    {
        if (!(a.NoveltyTolerance >= 0) || double.IsInfinity(a.NoveltyTolerance))
            errors.Add($"{key}.anomaly.novelty_tolerance: {a.NoveltyTolerance} must be a finite number, at least 0 (0 turns novelty off)");
        Positive(errors, $"{key}.anomaly.novelty_smoothing_steps", a.NoveltySmoothingSteps);
        Positive(errors, $"{key}.anomaly.novelty_onset_steps", a.NoveltyOnsetSteps);
        if (!(a.NoveltyDailyCorrelation >= -1 && a.NoveltyDailyCorrelation <= 1))
            errors.Add($"{key}.anomaly.novelty_daily_correlation: {a.NoveltyDailyCorrelation} must be a correlation, from -1 (always count the day-over-day and week-over-week views) to 1");
        TimeSpan halfLife = DurationOrZero(errors, $"{key}.anomaly.novelty_half_life", a.NoveltyHalfLife);
        TimeSpan warmup = DurationOrZero(errors, $"{key}.anomaly.novelty_warmup", a.NoveltyWarmup);
        if (!(a.NoveltyTolerance > 0) || step <= TimeSpan.Zero)
            return null;
        int daySteps = (int)Math.Max(1, Math.Round(TimeSpan.FromDays(1) / step));
        int warmupSteps = Math.Max((int)Math.Min(int.MaxValue, Math.Ceiling(warmup / step)), a.NoveltySmoothingSteps);
        // The week-over-week view needs the value a week before the newest closed step; a history that
        // can't hold it (7d or less) turns the view off, so no step or priming reads a week it can't have.
        int weekSteps = (int)Math.Min(int.MaxValue, Math.Max(1, Math.Round(TimeSpan.FromDays(7) / step)));
        if (history.Ticks / step.Ticks <= weekSteps + 1)
            weekSteps = 0;
        return new NoveltySettings(a.NoveltyTolerance, a.NoveltySmoothingSteps, daySteps, halfLife / step, a.NoveltyOnsetSteps, a.NoveltyDailyCorrelation, warmupSteps, weekSteps);
    }

    private static int Positive(List<string> errors, string key, int value)
    {
        if (value <= 0)
            errors.Add($"{key}: {value} must be positive");
        return value;
    }

    /// <summary>A positive duration, or 0 (written "0" or "0s") for settings where 0 turns something off.</summary>
    private static TimeSpan DurationOrZero(List<string> errors, string key, string? text) =>
        text is "0" || (PromDuration.TryParse(text, out TimeSpan zero) && zero == TimeSpan.Zero)
            ? TimeSpan.Zero
            : Duration(errors, key, text, TimeSpan.Zero);

    private static TimeSpan Duration(List<string> errors, string key, string? text, TimeSpan fallback)
    {
        if (PromDuration.TryParse(text, out TimeSpan value) && value > TimeSpan.Zero)
            return value;
        errors.Add($"{key}: '{text}' is not a positive duration such as 15s, 5m, 1h or 7d");
        return fallback;
    }
}
