using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Store;

namespace Sidecar.Ingest.PromQl;

/// <summary>
/// Feeds targets that name a PromQL expression (aggregations that raw remote-written series don't give,
/// as in the seed tutorial's PrometheusDataLoader): their whole history first, in pages under
/// Prometheus' point limit, then each new step as it passes. Results without a metric name are stored
/// under the target's name. A failed poll is logged, counted and simply tried again next step. After a
/// reload, targets it removed or restarted stop being polled and new ones start; kept ones go on.
/// </summary>
internal sealed class PromQlPoller(SeriesStore store, QueryRangeClient client, Readiness readiness, SelfMetrics metrics, TimeProvider time, ILogger<PromQlPoller> logger)
    : BackgroundService
{
    private readonly Channel<bool> _reloaded = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        store.Reconfigured += _ => _reloaded.Writer.TryWrite(true);
        // The restore relies on nothing else creating series meanwhile.
        await readiness.Restored.WaitAsync(stoppingToken);
        var polls = new Dictionary<TargetStore, (Task Poll, CancellationTokenSource Stop)>();
        try
        {
            while (true)
            {
                var current = store.Targets.Where(t => t.Settings.Query is not null).ToHashSet();
                foreach (var (target, (poll, stop)) in polls.Where(p => !current.Contains(p.Key)).ToList())
                {
                    polls.Remove(target);
                    await StopAsync(poll, stop);
                }
                foreach (var target in current.Where(t => !polls.ContainsKey(t)))
                {
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    polls[target] = (PollAsync(target, stop.Token), stop);
                }
                await _reloaded.Reader.ReadAsync(stoppingToken);
            }
        }
        finally
        {
            foreach (var (poll, stop) in polls.Values)
                await StopAsync(poll, stop);
        }
    }

    private static async Task StopAsync(Task poll, CancellationTokenSource stop)
    {
        stop.Cancel();
        try
        {
            await poll;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private async Task PollAsync(TargetStore target, CancellationToken stoppingToken)
    {
        var settings = target.Settings;
        long stepMs = settings.StepMs;
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Evaluate at step boundaries, so every value lands in its own step of the ring.
        long next = (now - settings.HistorySteps * stepMs) / stepMs * stepMs;
        using var timer = new PeriodicTimer(settings.Step, time);
        do
        {
            now = time.GetUtcNow().ToUnixTimeMilliseconds();
            while (next <= now && !stoppingToken.IsCancellationRequested)
            {
                long end = Math.Min(now / stepMs * stepMs, next + (QueryRangeClient.MaxPointsPerQuery - 1) * stepMs);
                try
                {
                    long samples = await client.QueryAsync(settings.Query!, next, end, stepMs,
                        (labels, values) => Store(target, labels, values), stoppingToken);
                    metrics.SamplesReceived.WithLabels("promql").Inc(samples);
                    metrics.PromQlPolls.WithLabels(settings.Name, "success").Inc();
                    next = end + stepMs;
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    metrics.PromQlPolls.WithLabels(settings.Name, "failure").Inc();
                    logger.LogWarning("PromQL target {Target}: query_range failed, retrying next step: {Reason}", settings.Name, e.Message);
                    break;
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private void Store(TargetStore target, List<KeyValuePair<string, string>> labels, ReadOnlySpan<Protocol.RemoteWrite.SampleValue> samples)
    {
        if (!labels.Exists(l => l.Key == LabelSet.MetricNameLabel))
            labels.Add(new(LabelSet.MetricNameLabel, target.Settings.Name));
        store.Ingest(labels, samples, target);
    }
}
