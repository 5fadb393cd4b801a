using Sidecar.Expose;
using Sidecar.Ingest;
using Sidecar.Pipeline;
using Sidecar.Store;

namespace Sidecar.Host;

/// <summary>The outcome of one reload, as <c>POST /-/reload</c> answers it.</summary>
internal sealed record ReloadResult(int StatusCode, string Message)
{
    public bool Succeeded => StatusCode == StatusCodes.Status200OK;
}

/// <summary>
/// Re-reads the config file (<c>POST /-/reload</c>, SIGHUP) and applies it target by target, by name
/// (<see cref="TargetSettingsComparison"/>): unchanged targets keep their store, models, streaming states
/// and gauges; targets whose storage still fits keep their history and get a new pipeline that
/// retrains; others start empty (and backfill, if configured, fills them); removed ones leave /metrics.
/// A config that doesn't load or validate changes nothing. Global settings apply from the reload on.
/// </summary>
internal sealed class ConfigReloader
{
    private readonly Func<SidecarSettings> _load;
    private readonly SettingsHolder _settings;
    private readonly SeriesStore _store;
    private readonly PipelineSet _pipelines;
    private readonly PipelineFactory _factory;
    private readonly WriteGate _gate;
    private readonly Readiness _readiness;
    private readonly SelfMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ConfigReloader> _logger;
    private readonly Lock _oneAtATime = new();

    /// <param name="load">Reads and validates the config file; throws <see cref="ConfigException"/>.</param>
    public ConfigReloader(Func<SidecarSettings> load, SettingsHolder settings, SeriesStore store, PipelineSet pipelines, PipelineFactory factory,
        WriteGate gate, Readiness readiness, SelfMetrics metrics, TimeProvider time, ILogger<ConfigReloader> logger)
    {
        _load = load;
        _settings = settings;
        _store = store;
        _pipelines = pipelines;
        _factory = factory;
        _gate = gate;
        _readiness = readiness;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        // As in Prometheus, the config loaded at start counts as the first successful load.
        MarkSucceeded();
    }

    /// <param name="trigger">What asked for it (<c>HTTP</c>, <c>SIGHUP</c>), for the log line.</param>
    public ReloadResult Reload(string trigger)
    {
        if (_readiness.ShuttingDown)
            return new(StatusCodes.Status503ServiceUnavailable, "reload refused: shutting down");
        if (!_readiness.IsRestored)
            return new(StatusCodes.Status503ServiceUnavailable, "reload refused: the snapshot is still being restored; retry once /-/ready answers 200");
        lock (_oneAtATime)
        {
            SidecarSettings next;
            try
            {
                next = _load();
            }
            catch (ConfigException e)
            {
                _metrics.ConfigLastReloadSuccessful.Set(0);
                _logger.LogError("Reload ({Trigger}) failed; the running config stays in use: {Reason}", trigger, e.Message);
                return new(StatusCodes.Status500InternalServerError, "reload failed; the running config stays in use: " + e.Message);
            }
            string summary = Apply(next);
            MarkSucceeded();
            _logger.LogInformation("Reload ({Trigger}) applied: {Summary}", trigger, summary);
            return new(StatusCodes.Status200OK, "reloaded: " + summary);
        }
    }

    private string Apply(SidecarSettings next)
    {
        var before = _pipelines.Current.ToDictionary(p => p.Settings.Name, StringComparer.Ordinal);
        var changes = next.Targets.ToDictionary(t => t.Name, t => TargetSettingsComparison.Classify(before.GetValueOrDefault(t.Name)?.Settings, t), StringComparer.Ordinal);
        var removed = before.Keys.Where(name => !changes.ContainsKey(name)).ToList();

        // Retired before their replacements exist: a replacement's gauges carry the same labels, and
        // retiring afterwards would take those off /metrics.
        foreach (var pipeline in before.Values.Where(p => changes.GetValueOrDefault(p.Settings.Name, TargetChange.Replaced) != TargetChange.Kept))
            pipeline.Retire();

        var (targets, _) = _store.Reconfigure(next, settings => changes[settings.Name] is TargetChange.Kept or TargetChange.Retrained
            ? before[settings.Name].Store
            : null);
        var pipelines = targets
            .Select(store => changes[store.Settings.Name] == TargetChange.Kept ? before[store.Settings.Name] : _factory.Create(store))
            .ToArray();
        // A retrained target keeps its history, and with it what its scores learnt about each series.
        foreach (var pipeline in pipelines.Where(p => changes[p.Settings.Name] == TargetChange.Retrained))
            pipeline.SeedScores(before[pipeline.Settings.Name].ExportScores());
        _pipelines.Replace(pipelines);
        _settings.Replace(next);
        _gate.Limit = next.Limits.MaxInflightRequests;

        string Names(TargetChange change) => string.Join(", ", changes.Where(c => c.Value == change).Select(c => c.Key));
        return $"kept [{Names(TargetChange.Kept)}], retrained with their history [{Names(TargetChange.Retrained)}], "
            + $"restarted empty [{Names(TargetChange.Replaced)}], added [{Names(TargetChange.Added)}], removed [{string.Join(", ", removed)}]";
    }

    private void MarkSucceeded()
    {
        _metrics.ConfigLastReloadSuccessful.Set(1);
        _metrics.ConfigLastReloadSuccessTimestamp.Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
    }
}
