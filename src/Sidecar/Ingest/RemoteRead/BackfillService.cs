using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Store;
using MatchType = Sidecar.Store.MatchType;

namespace Sidecar.Ingest.RemoteRead;

/// <summary>
/// Fills each target's history from Prometheus through remote-read, so models train at start instead
/// of after days of live data: first every selector target's whole history, oldest page first, then
/// each series that appears later. Prometheus being down never stops ingest: the failure is logged and
/// counted, and the backfill is tried again with backoff. A target that a reload adds, or restarts
/// empty, is backfilled like one present at start; <c>prometheus.backfill</c> is read as each runs.
/// </summary>
internal sealed class BackfillService : BackgroundService
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan LastRetry = TimeSpan.FromMinutes(5);

    private readonly SeriesStore _store;
    private readonly RemoteReadClient _client;
    private readonly SettingsHolder _settingsHolder;
    private readonly Readiness _readiness;
    private readonly SelfMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<BackfillService> _logger;
    private readonly Channel<Series> _newSeries = Channel.CreateBounded<Series>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Channel<TargetStore> _newTargets = Channel.CreateUnbounded<TargetStore>();
    private readonly HashSet<TargetStore> _targetsDone = [];

    public BackfillService(SeriesStore store, RemoteReadClient client, SettingsHolder settings, Readiness readiness, SelfMetrics metrics, TimeProvider time, ILogger<BackfillService> logger)
    {
        _store = store;
        _client = client;
        _settingsHolder = settings;
        _readiness = readiness;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        store.SeriesCreated += OnSeriesCreated;
        store.Reconfigured += OnTargetsCreated;
    }

    private PrometheusSettings Prometheus => _settingsHolder.Current.Prometheus;

    private void OnTargetsCreated(IReadOnlyList<TargetStore> targets)
    {
        foreach (var target in targets.Where(t => t.Settings.Selector is not null))
            _newTargets.Writer.TryWrite(target);
    }

    /// <summary>Completes once every target's first backfill has finished (or failed for good).</summary>
    public Task InitialBackfill => _initialBackfill.Task;

    private readonly TaskCompletionSource _initialBackfill = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void OnSeriesCreated(Series series)
    {
        // Series found by a target's own backfill, or live before it finished, are covered by it.
        if (!Prometheus.Backfill)
            return;
        bool targetDone;
        lock (_targetsDone)
            targetDone = _targetsDone.Contains(series.Owner);
        if (targetDone && series.Target.Selector is not null)
            _newSeries.Writer.TryWrite(series);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Only the gap after the restored snapshot is read, so the restore comes first.
            await _readiness.Restored.WaitAsync(stoppingToken);
            if (Prometheus.Backfill)
            {
                foreach (var target in _store.Targets.Where(t => t.Settings.Selector is not null))
                    await BackfillTargetAsync(target, stoppingToken);
            }
        }
        finally
        {
            _initialBackfill.TrySetResult();
        }
        while (true)
        {
            // A reload's new targets come before single new series: their backfill covers those series too.
            if (_newTargets.Reader.TryRead(out var target))
            {
                if (Prometheus.Backfill && _store.Targets.Contains(target))
                    await BackfillTargetAsync(target, stoppingToken);
                continue;
            }
            if (_newSeries.Reader.TryRead(out var series))
            {
                if (!_store.Targets.Contains(series.Owner))
                    continue; // its target was reloaded away
                var exact = series.Labels.Labels.Select(l => new LabelMatcher(l.Key, MatchType.Equal, l.Value)).ToArray();
                await WithRetryAsync(series.Target.Name, series.Labels.ToString(), ct => BackfillAsync(series.Owner, exact, gapOnly: false, ct), stoppingToken);
                continue;
            }
            // The waiter that loses is cancelled, so waiters don't pile up on a channel that stays quiet.
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                await Task.WhenAny(_newTargets.Reader.WaitToReadAsync(wait.Token).AsTask(), _newSeries.Reader.WaitToReadAsync(wait.Token).AsTask());
                wait.Cancel();
            }
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    private async Task BackfillTargetAsync(TargetStore target, CancellationToken stoppingToken)
    {
        await WithRetryAsync(target.Settings.Name, "target", ct => BackfillAsync(target, target.Settings.Selector!.Matchers, gapOnly: true, ct), stoppingToken);
        lock (_targetsDone)
            _targetsDone.Add(target);
    }

    /// <param name="gapOnly">Read only what came after the restored snapshot (a target's start), not a new series' whole history.</param>
    private async Task BackfillAsync(TargetStore target, IReadOnlyList<LabelMatcher> matchers, bool gapOnly, CancellationToken cancellation)
    {
        var settings = target.Settings;
        long endMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // After a restart only the gap since the snapshot is missing.
        long startMs = endMs - settings.HistorySteps * settings.StepMs;
        if (gapOnly)
            startMs = Math.Max(startMs, target.RestoredUntilMs - settings.StepMs);
        long pageMs = Math.Max((long)Prometheus.BackfillPage.TotalMilliseconds, settings.StepMs);
        var clock = Stopwatch.StartNew();
        long samples = 0;
        for (long pageStart = startMs; pageStart < endMs; pageStart += pageMs)
        {
            long pageEnd = Math.Min(pageStart + pageMs - 1, endMs);
            samples += await _client.ReadAsync(matchers, pageStart, pageEnd, (labels, values) => _store.Ingest(labels, values), cancellation);
        }
        _metrics.BackfillSamples.WithLabels(settings.Name).Inc(samples);
        _logger.LogInformation("Backfilled {Matchers} (target {Target}): {Samples} samples over the last {History} in {Seconds:F1}s; the target has {Series} series",
            string.Join(", ", matchers), settings.Name, samples, PromDuration.Format(TimeSpan.FromMilliseconds(endMs - startMs)), clock.Elapsed.TotalSeconds, target.Count);
    }

    private async Task WithRetryAsync(string target, string what, Func<CancellationToken, Task> backfill, CancellationToken stoppingToken)
    {
        TimeSpan delay = FirstRetry;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await backfill(stoppingToken);
                _metrics.BackfillRuns.WithLabels(target, "success").Inc();
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _metrics.BackfillRuns.WithLabels(target, "failure").Inc();
                _logger.LogWarning("Backfill of {What} (target {Target}) from {Url} failed, retrying in {Delay}: {Reason}",
                    what, target, Prometheus.RemoteReadUrl, PromDuration.Format(delay), e.Message);
                await Task.Delay(delay, _time, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, LastRetry.Ticks));
            }
        }
    }
}
