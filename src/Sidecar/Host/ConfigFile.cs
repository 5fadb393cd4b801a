using YamlDotNet.Serialization;

namespace Sidecar.Host;

// The YAML shape of --config.file, exactly as users write it (snake_case keys, durations as strings).
// ConfigValidator turns it into validated settings; nothing else reads these classes.

internal sealed class ConfigFile
{
    public LimitsSection Limits { get; set; } = new();

    public DemoSection Demo { get; set; } = new();

    public PrometheusSection Prometheus { get; set; } = new();

    public StorageSection Storage { get; set; } = new();

    public ComputeSection Compute { get; set; } = new();

    public List<TargetSection> Targets { get; set; } = [];

    /// <summary>
    /// Keys in the file that no setting has, each with its line: not part of the YAML shape, but found while
    /// reading it (<see cref="ConfigLoader.Parse"/>) and reported by the validator with every other error.
    /// </summary>
    [YamlIgnore]
    public List<string> UnknownKeys { get; set; } = [];
}

internal sealed class LimitsSection
{
    public int MaxSeries { get; set; } = 100_000;

    public int MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    public int MaxDecodedBytes { get; set; } = 64 * 1024 * 1024;

    /// <summary>Remote-write requests decoded at once; more get 503 with Retry-After, and Prometheus retries.</summary>
    public int MaxInflightRequests { get; set; } = 8;

    /// <summary>All request headers of one request together, in bytes; more is 431.</summary>
    public int MaxHeaderBytes { get; set; } = 32 * 1024;

    /// <summary>Request headers per request; more is 431.</summary>
    public int MaxHeaders { get; set; } = 100;

    /// <summary>Time a client has to send its request line and headers.</summary>
    public string HeaderReadTimeout { get; set; } = "10s";

    /// <summary>A request body arriving slower than this (after a 5s grace) is cut off; 0 turns the check off.</summary>
    public int MinBodyBytesPerSecond { get; set; } = 240;

    /// <summary>Open connections at once; more are refused.</summary>
    public int MaxConnections { get; set; } = 1024;

    /// <summary>Time a remote-write body has to arrive in full; slower is 408 and the connection is closed.</summary>
    public string WriteBodyTimeout { get; set; } = "1m";
}

internal sealed class StorageSection
{
    /// <summary>How often the store is snapshotted to --storage.path (and always at graceful shutdown).</summary>
    public string SnapshotInterval { get; set; } = "5m";
}

internal sealed class PrometheusSection
{
    /// <summary>Base URL of the Prometheus to backfill from and to run PromQL targets against; empty for none.</summary>
    public string Url { get; set; } = "";

    /// <summary>Overrides <c>{url}/api/v1/read</c>.</summary>
    public string RemoteReadUrl { get; set; } = "";

    public string Timeout { get; set; } = "1m";

    public bool Backfill { get; set; } = true;

    /// <summary>History is read in pages of this length, oldest first, so memory stays bounded.</summary>
    public string BackfillPage { get; set; } = "6h";

    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    public BasicAuthSection? BasicAuth { get; set; }

    public AuthorizationSection? Authorization { get; set; }

    public TlsClientSection? TlsConfig { get; set; }
}

internal sealed class DemoSection
{
    /// <summary><c>auto</c>: run until the first remote-write arrives; <c>on</c>; <c>off</c>.</summary>
    public string Mode { get; set; } = "auto";
}

internal sealed class TargetSection
{
    public string? Name { get; set; }

    public string? Selector { get; set; }

    /// <summary>A PromQL expression polled through query_range, instead of a selector over remote-written series.</summary>
    public string? Query { get; set; }

    public string Step { get; set; } = "1m";

    public List<string> Horizons { get; set; } = ["5m", "1h", "6h"];

    public string History { get; set; } = "8d";

    /// <summary><c>auto</c> (metadata or the _total suffix decide), <c>counter</c> or <c>gauge</c>.</summary>
    public string Type { get; set; } = "auto";

    /// <summary><c>last</c> or <c>mean</c> of the samples in a step (gauges; counters are rates).</summary>
    public string Aggregation { get; set; } = "last";

    /// <summary>Series this target keeps at most; 0 leaves only the global limit.</summary>
    public int MaxSeries { get; set; }

    /// <summary>Steps without data after which a series' gauges are removed.</summary>
    public int SeriesTimeoutSteps { get; set; } = 10;

    /// <summary>
    /// Silence after which a series is forgotten: its history, states, gauges and <c>max_series</c> slot
    /// are freed. Null for the target's <c>history</c>, past which nothing of the series' data is left anyway.
    /// </summary>
    public string? ForgetAfter { get; set; }

    public ModelSection Model { get; set; } = new();

    public AnomalySection Anomaly { get; set; } = new();

    /// <summary>Capacity planning; absent for none.</summary>
    public CapacitySection? Capacity { get; set; }
}

internal sealed class CapacitySection
{
    /// <summary>The value whose crossing is forecast, in the series' unit (e.g. 90 for a disk-used percentage).</summary>
    public double? Threshold { get; set; }

    /// <summary>above (rising to the threshold) or below (falling to it).</summary>
    public string Direction { get; set; } = "above";
}

internal sealed class ModelSection
{
    /// <summary>Steps of warm-up before a series' state is trusted, and the back-propagation chunk length.</summary>
    public int Window { get; set; } = 32;

    public int HiddenSize { get; set; } = 32;

    public int Layers { get; set; } = 2;

    public double LearningRate { get; set; } = 5e-3;

    public int MaxEpochs { get; set; } = 30;

    public int Patience { get; set; } = 5;

    /// <summary>Lanes (stretches of consecutive steps) per optimiser batch.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Series-steps run per epoch at most, so an epoch's cost stays bounded on big targets.</summary>
    public int MaxStepsPerEpoch { get; set; } = 200_000;

    public double ValidationFraction { get; set; } = 0.2;

    public string? MinHistory { get; set; }

    public string FitEvery { get; set; } = "6h";

    public string FitWindow { get; set; } = "3d";

    /// <summary>Quantile levels to forecast; must include 0.5, the point forecast.</summary>
    public List<double> Quantiles { get; set; } = [0.05, 0.5, 0.95];

    public FeaturesSection Features { get; set; } = new();

    /// <summary><c>target</c>: one model across the target's series; <c>series</c>: one per series, for small targets.</summary>
    public string Scope { get; set; } = "target";

    /// <summary>Baseline forecast served (with its own <c>model</c> label) until the LSTM is trained; <c>none</c> for no forecast.</summary>
    public string Fallback { get; set; } = "predict_linear";

    /// <summary>Range of the PromQL fallbacks, as in <c>predict_linear(v[6h], …)</c>.</summary>
    public string FallbackRange { get; set; } = "6h";

    /// <summary>
    /// <c>holt_winters</c>: each series' published median mixes the LSTM's with a Holt-Winters fitted to
    /// that series, by the weight that did best there lately; <c>none</c>: the LSTM's alone. Unset: the
    /// combination wherever the step allows its daily season (a step of 1m or longer that divides a day),
    /// the LSTM alone elsewhere.
    /// </summary>
    public string? Combine { get; set; }

    public int Seed { get; set; } = 42;
}

internal sealed class FeaturesSection
{
    /// <summary>Time of day and day of week as sin/cos.</summary>
    public bool Calendar { get; set; } = true;

    /// <summary>The value one day and one week earlier, when the history has them.</summary>
    public bool SeasonalLags { get; set; } = true;

    /// <summary>Two exponentially smoothed levels of the series, relative to its last value.</summary>
    public bool SmoothedLevels { get; set; } = true;

    /// <summary>Metric names of the target's other series to feed as inputs, matched by <see cref="CovariatesBy"/>.</summary>
    public List<string> Covariates { get; set; } = [];

    /// <summary>Labels a covariate must share with the series, e.g. <c>[instance]</c>.</summary>
    public List<string> CovariatesBy { get; set; } = [];
}

internal sealed class ComputeSection
{
    /// <summary>libtorch threads the training thread may use.</summary>
    public int TrainingThreads { get; set; } = 1;

    /// <summary>libtorch threads the inference loop may use.</summary>
    public int InferenceThreads { get; set; } = 1;
}

internal sealed class AnomalySection
{
    /// <summary>Residual, in robust standard deviations, at which the score reaches 1.</summary>
    public double Sigmas { get; set; } = 3;

    /// <summary>Half-life-like span, in steps, of the EWMA of absolute residuals.</summary>
    public int ScaleSteps { get; set; } = 60;

    /// <summary>Residuals to see before the score leaves 0.</summary>
    public int WarmupSteps { get; set; } = 10;

    /// <summary>both, above or below: which side of the forecast can be anomalous.</summary>
    public string Direction { get; set; } = "both";

    /// <summary>A residual smaller than this (in the series' unit) never scores above 1.</summary>
    public double MinDeviation { get; set; }

    /// <summary>A residual smaller than this fraction of the value never scores above 1.</summary>
    public double MinRelativeDeviation { get; set; } = 0.01;

    /// <summary>Span, in steps, over which a sustained shift adds up; 0 scores single steps only.</summary>
    public int ShiftSteps { get; set; } = 6;

    /// <summary>Span of the score's own mean and spread for <c>anomaly_surprise</c>; 0 for no surprise gauge.</summary>
    public string SurpriseWindow { get; set; } = "1d";

    /// <summary>How far beyond its record range (a fraction of that range) a view must go for <c>anomaly_novelty</c> 1; 0 turns novelty off.</summary>
    public double NoveltyTolerance { get; set; } = 0.05;

    /// <summary>Steps averaged for the level, day-over-day and week-over-week change views of novelty.</summary>
    public int NoveltySmoothingSteps { get; set; } = 48;

    /// <summary>Time over which a record fades halfway back towards the current level; 0: records never fade.</summary>
    public string NoveltyHalfLife { get; set; } = "8w";

    /// <summary>A rise in novelty reports only where it is the highest of this many steps.</summary>
    public int NoveltyOnsetSteps { get; set; } = 12;

    /// <summary>The day-over-day (week-over-week) view counts only while the series correlates this much with itself a day (week) earlier; -1: always.</summary>
    public double NoveltyDailyCorrelation { get; set; } = -1;

    /// <summary>How much of a series novelty sees before anything counts as beyond its records.</summary>
    public string NoveltyWarmup { get; set; } = "1d";
}
