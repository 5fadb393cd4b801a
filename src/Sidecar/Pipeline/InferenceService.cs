using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Store;
using TorchSharp;

namespace Sidecar.Pipeline;

/// <summary>
/// The inference loop: on its own thread, so a slow batch never holds up ingest, and it checks every
/// target a few times per step so that a closed step is scored and forecast promptly.
/// </summary>
internal sealed class InferenceService(PipelineSet pipelineSet, PipelineStateFiles stateFiles, SettingsHolder settings, Readiness readiness,
    SeriesStore store, SelfMetrics metrics, TimeProvider time, ILogger<InferenceService> logger)
    : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void ForgetSilent()
    {
        try
        {
            foreach (var (target, count) in store.ForgetSilent())
            {
                metrics.SeriesForgotten.WithLabels(target.Settings.Name).Inc(count);
                logger.LogInformation("Forgot {Count} series of target {Target}, silent for longer than {Retention}",
                    count, target.Settings.Name, PromDuration.Format(TimeSpan.FromMilliseconds(target.Settings.RetentionMs)));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Forgetting silent series failed");
        }
    }

    private void Run(CancellationToken stoppingToken)
    {
        // Restored series are processed with their saved states, not as if they were new.
        if (!readiness.WaitRestored(stoppingToken))
            return;
        stateFiles.LoadScores();
        int threads = 0;
        var nextForgetCheck = DateTimeOffset.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            // Taken once per pass: a reload swaps the whole list, never part of it under our feet.
            IReadOnlyList<TargetPipeline> pipelines = pipelineSet.Current;
            if (settings.Current.Compute.InferenceThreads != threads)
            {
                // Set on this thread: libtorch's OpenMP pool size is a per-thread setting, so the loop keeps its own budget.
                threads = settings.Current.Compute.InferenceThreads;
                torch.set_num_threads(threads);
            }
            TimeSpan shortestStep = pipelines.Count == 0 ? TimeSpan.FromSeconds(4) : pipelines.Min(p => p.Settings.Step);
            TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(shortestStep.TotalMilliseconds / 4, 50, 1000));
            if (stoppingToken.WaitHandle.WaitOne(tick))
                return;
            // Silence is measured in steps: checking for series to forget more than once a step buys nothing.
            if (time.GetUtcNow() >= nextForgetCheck)
            {
                nextForgetCheck = time.GetUtcNow() + TimeSpan.FromTicks(Math.Clamp(shortestStep.Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));
                ForgetSilent();
            }
            foreach (var pipeline in pipelines)
            {
                try
                {
                    pipeline.Process();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // One target's failure must not stop forecasts for the others.
                    logger.LogError(e, "Inference failed for target {Target}", pipeline.Settings.Name);
                }
            }
        }
    }
}
