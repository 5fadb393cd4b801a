using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using TorchSharp;

namespace Sidecar.Pipeline;

/// <summary>
/// The inference loop: on its own thread, so a slow batch never holds up ingest, and it checks every
/// target a few times per step so that a closed step is scored and forecast promptly.
/// </summary>
internal sealed class InferenceService(IReadOnlyList<TargetPipeline> pipelines, SidecarSettings settings, SelfMetrics metrics, ILogger<InferenceService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        if (pipelines.Count == 0)
            return;
        // Set on this thread: libtorch's OpenMP pool size is a per-thread setting, so the loop keeps its own budget.
        torch.set_num_threads(settings.Compute.InferenceThreads);
        TimeSpan shortestStep = pipelines.Min(p => p.Settings.Step);
        TimeSpan tick = TimeSpan.FromMilliseconds(Math.Clamp(shortestStep.TotalMilliseconds / 4, 50, 1000));
        while (!stoppingToken.WaitHandle.WaitOne(tick))
        {
            foreach (var pipeline in pipelines)
            {
                try
                {
                    pipeline.Process();
                    metrics.SeriesTracked.WithLabels(pipeline.Settings.Name).Set(pipeline.Store.Count);
                    metrics.SeriesExposed.WithLabels(pipeline.Settings.Name).Set(pipeline.ExposedCount);
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
