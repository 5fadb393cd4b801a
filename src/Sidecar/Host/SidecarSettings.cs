using Sidecar.Store;

namespace Sidecar.Host;

/// <summary>How a target's series are modelled: counters as per-second rates, gauges as they are.</summary>
internal enum SeriesValueType
{
    Auto,
    Counter,
    Gauge,
}

/// <summary>What one model covers: every series of a target, or one series.</summary>
internal enum ModelScope
{
    Target,
    Series,
}

/// <summary>What a step holds when several samples fall in it.</summary>
internal enum StepAggregation
{
    Last,
    Mean,
}

internal enum DemoMode
{
    Auto,
    On,
    Off,
}

/// <summary>The validated configuration. Built once by <see cref="ConfigValidator"/>; immutable.</summary>
internal sealed record SidecarSettings(LimitSettings Limits, DemoMode Demo, PrometheusSettings Prometheus, TimeSpan SnapshotInterval, ComputeSettings Compute, IReadOnlyList<TargetSettings> Targets);

/// <summary>libtorch thread budgets: training and inference run on threads of their own, each with its own pool size.</summary>
internal sealed record ComputeSettings(int TrainingThreads, int InferenceThreads)
{
    public static readonly ComputeSettings Default = new(1, 1);
}

/// <param name="BaseUrl">Null when no Prometheus is configured: no backfill and no PromQL targets.</param>
internal sealed record PrometheusSettings(Uri? BaseUrl, Uri? RemoteReadUrl, TimeSpan Timeout, bool Backfill, TimeSpan BackfillPage, int MaxFrameBytes)
{
    /// <summary>Credentials and TLS for the requests to Prometheus.</summary>
    public Security.PrometheusHttpSettings Http { get; init; } = Security.PrometheusHttpSettings.None;

    public static readonly PrometheusSettings None = new(null, null, TimeSpan.FromMinutes(1), false, TimeSpan.FromHours(6), 16 * 1024 * 1024);
}

internal sealed record LimitSettings(int MaxSeries, int MaxBodyBytes, int MaxDecodedBytes, int MaxInflightRequests)
{
    public ConnectionLimitSettings Connections { get; init; } = ConnectionLimitSettings.Default;
}

/// <summary>Bounds on what one client can hold: header sizes, slow senders, connections.</summary>
/// <param name="MinBodyBytesPerSecond">0 turns the data-rate check off.</param>
internal sealed record ConnectionLimitSettings(int MaxHeaderBytes, int MaxHeaders, TimeSpan HeaderReadTimeout, int MinBodyBytesPerSecond, int MaxConnections, TimeSpan WriteBodyTimeout)
{
    public static readonly ConnectionLimitSettings Default = new(32 * 1024, 100, TimeSpan.FromSeconds(10), 240, 1024, TimeSpan.FromMinutes(1));
}

/// <param name="Label">The horizon as written in the config, used as the <c>horizon</c> label value.</param>
/// <param name="Steps">How many target steps ahead.</param>
internal readonly record struct Horizon(string Label, int Steps);

/// <param name="Selector">Series of this target among remote-written ones; null for a PromQL target.</param>
/// <param name="Query">PromQL polled through query_range; null for a selector target.</param>
internal sealed record TargetSettings(
    string Name,
    Selector? Selector,
    string? Query,
    TimeSpan Step,
    IReadOnlyList<Horizon> Horizons,
    int HistorySteps,
    int SeriesTimeoutSteps,
    int MaxSeries,
    SeriesValueType ValueType,
    StepAggregation Aggregation,
    ModelSettings Model,
    AnomalySettings Anomaly,
    CapacitySettings? Capacity = null,
    long ForgetAfterMs = 0)
{
    public long StepMs => (long)Step.TotalMilliseconds;

    /// <summary>Silence after which a series is forgotten (<c>forget_after</c>, by default the history's span).</summary>
    public long RetentionMs => ForgetAfterMs > 0 ? ForgetAfterMs : HistorySteps * StepMs;
}

internal sealed record ModelSettings(
    int Window,
    int HiddenSize,
    int Layers,
    double LearningRate,
    int MaxEpochs,
    int Patience,
    int BatchSize,
    int MaxStepsPerEpoch,
    double ValidationFraction,
    int MinHistorySteps,
    TimeSpan FitEvery,
    int FitWindowSteps,
    IReadOnlyList<double> Quantiles,
    FeatureSettings Features,
    string? Fallback,
    int FallbackRangeSteps,
    int Seed,
    ModelScope Scope = ModelScope.Target,
    ModelCombination Combine = ModelCombination.None);

/// <summary>What the LSTM's median is combined with before it is published (<c>model.combine</c>).</summary>
internal enum ModelCombination
{
    None,
    HoltWinters,
}

internal sealed record FeatureSettings(bool Calendar, bool DailyLag, bool WeeklyLag, CovariateSettings? Covariates = null, bool SmoothedLevels = false);

/// <summary>
/// Other series of the same target fed as inputs: for a series, the series named by each of
/// <see cref="Metrics"/> that has the same values of the <see cref="By"/> labels (e.g. the same instance).
/// </summary>
internal sealed record CovariateSettings(IReadOnlyList<string> Metrics, IReadOnlyList<string> By)
{
    public override string ToString() => $"[{string.Join(',', Metrics)}] by [{string.Join(',', By)}]";
}

/// <summary>Capacity planning: forecast when series cross <paramref name="Threshold"/>.</summary>
/// <param name="Above">True: crossing means rising to the threshold (a disk filling); false: falling to it.</param>
internal sealed record CapacitySettings(double Threshold, bool Above);

/// <summary>Which residuals can be anomalous.</summary>
internal enum AnomalyDirection
{
    Both,
    Above,
    Below,
}

internal sealed record AnomalySettings(
    double Sigmas,
    int ScaleSteps,
    int WarmupSteps,
    AnomalyDirection Direction = AnomalyDirection.Both,
    double MinDeviation = 0,
    double MinRelativeDeviation = 0,
    int ShiftSteps = 0,
    int SurpriseSteps = 0,
    NoveltySettings? Novelty = null);

/// <summary>
/// <c>anomaly_novelty</c>: how far a series goes beyond its own records (see <see cref="Score.NoveltyScorer"/>).
/// </summary>
/// <param name="Tolerance">Distance beyond a record, as a fraction of the record range, at which novelty reaches 1.</param>
/// <param name="SmoothingSteps">Steps averaged for the level, day-over-day and week-over-week change views.</param>
/// <param name="DaySteps">Steps in a day (at least 1): the lag of the day-over-day view.</param>
/// <param name="HalfLifeSteps">Steps over which a record fades halfway back towards the current level; 0: never.</param>
/// <param name="OnsetSteps">A rise reports only where it is the highest of this many steps.</param>
/// <param name="DailyCorrelation">The day-over-day view counts only while the series' correlation with itself a
/// day earlier is at least this, and the week-over-week view only while its correlation with itself a week
/// earlier is; -1: always.</param>
/// <param name="WarmupSteps">Steps of the series seen before anything counts as beyond its records: a day by
/// default, and at least one smoothing window.</param>
/// <param name="WeekSteps">Steps in a week: the lag of the week-over-week view; 0 turns that view off, as the
/// config does for a history too short to hold a week before the newest closed step.</param>
internal sealed record NoveltySettings(double Tolerance, int SmoothingSteps, int DaySteps, double HalfLifeSteps, int OnsetSteps, double DailyCorrelation, int WarmupSteps, int WeekSteps = 0)
{
    /// <summary>Whether a scorer's windows fit both settings, so its state carries from one to the other.</summary>
    public bool SameWindows(NoveltySettings other) => SmoothingSteps == other.SmoothingSteps && OnsetSteps == other.OnsetSteps;
}
