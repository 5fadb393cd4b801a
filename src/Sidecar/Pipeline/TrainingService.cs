using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using TorchSharp;

namespace Sidecar.Pipeline;

/// <summary>
/// Runs the <see cref="TrainingScheduler"/> in the background on a thread of its own, below normal
/// priority and with its own libtorch thread budget, so training never blocks ingest or scrapes and
/// doesn't starve inference.
/// </summary>
internal sealed class TrainingService(
    IReadOnlyList<TargetPipeline> pipelines, SidecarSettings settings, StoragePath storage, SelfMetrics metrics, TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        // Set on this thread: libtorch's OpenMP pool size is a per-thread setting, so training keeps its own budget.
        torch.set_num_threads(settings.Compute.TrainingThreads);
        using var scheduler = new TrainingScheduler(pipelines, storage.Directory, metrics, time, logger);
        scheduler.LoadSaved();
        do
        {
            scheduler.RunDue(stoppingToken);
        }
        while (!stoppingToken.WaitHandle.WaitOne(CheckInterval));
    }
}
