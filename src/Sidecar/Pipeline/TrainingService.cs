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
    PipelineSet pipelines, SettingsHolder settings, Readiness readiness, StoragePath storage, SelfMetrics metrics, TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        // Saved streaming states and training data both need the restored history.
        if (!readiness.WaitRestored(stoppingToken))
            return;
        // Set on this thread: libtorch's OpenMP pool size is a per-thread setting, so training keeps its own budget.
        int threads = settings.Current.Compute.TrainingThreads;
        torch.set_num_threads(threads);
        using var scheduler = new TrainingScheduler(pipelines.Current, storage.Directory, metrics, time, logger);
        scheduler.LoadSaved();
        do
        {
            // Between runs, never during one: a reload's new pipelines join at the next pass.
            scheduler.Follow(pipelines.Current);
            if (settings.Current.Compute.TrainingThreads != threads)
                torch.set_num_threads(threads = settings.Current.Compute.TrainingThreads);
            scheduler.RunDue(stoppingToken);
        }
        while (!stoppingToken.WaitHandle.WaitOne(CheckInterval));
    }
}
