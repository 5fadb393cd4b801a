using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Store;

namespace Sidecar.Ingest.PromQl;

/// <summary>
/// Feeds targets that name a PromQL expression (aggregations that raw remote-written series don't give,
/// as in the seed tutorial's PrometheusDataLoader): their whole history first, in pages under
/// Prometheus' point limit, then each new step as it passes. Results without a metric name are stored
/// under the target's name. A failed poll is logged, counted and simply tried again next step.
/// </summary>
internal sealed class PromQlPoller(SeriesStore store, QueryRangeClient client, SelfMetrics metrics, TimeProvider time, ILogger<PromQlPoller> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(store.Targets.Where(t => t.Settings.Query is not null).Select(t => PollAsync(t, stoppingToken)));

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
