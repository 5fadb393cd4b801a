using Sidecar.Store;

namespace Sidecar.Host;

internal enum DemoMode
{
    Auto,
    On,
    Off,
}

/// <summary>The validated configuration. Built once by <see cref="ConfigValidator"/>; immutable.</summary>
internal sealed record SidecarSettings(LimitSettings Limits, DemoMode Demo, IReadOnlyList<TargetSettings> Targets);

internal sealed record LimitSettings(int MaxSeries, int MaxBodyBytes, int MaxDecodedBytes);

/// <param name="Label">The horizon as written in the config, used as the <c>horizon</c> label value.</param>
/// <param name="Steps">How many target steps ahead.</param>
internal readonly record struct Horizon(string Label, int Steps);

internal sealed record TargetSettings(
    string Name,
    Selector Selector,
    TimeSpan Step,
    IReadOnlyList<Horizon> Horizons,
    int HistorySteps,
    int SeriesTimeoutSteps,
    ModelSettings Model,
    AnomalySettings Anomaly)
{
    public long StepMs => (long)Step.TotalMilliseconds;

    public int MaxHorizonSteps => Horizons.Max(h => h.Steps);
}

internal sealed record ModelSettings(
    int Window,
    int HiddenSize,
    int Layers,
    double LearningRate,
    int MaxEpochs,
    int Patience,
    int BatchSize,
    int MaxSamplesPerEpoch,
    double ValidationFraction,
    int MinHistorySteps,
    TimeSpan RetrainEvery,
    int TrainWindowSteps,
    int Seed);

internal sealed record AnomalySettings(double Sigmas, int ScaleSteps, int WarmupSteps);
