using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Model;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Trains each target in the background, on a thread of its own: first as soon as a series has
/// <c>min_history</c> closed steps, then every <c>retrain_every</c>. One target trains at a time, so
/// training takes at most one core and never blocks ingest, scrapes or inference.
/// </summary>
internal sealed class TrainingService(IReadOnlyList<TargetPipeline> pipelines, SelfMetrics metrics, TimeProvider time, ILogger<TrainingService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        var nextAttempt = pipelines.ToDictionary(p => p, _ => DateTimeOffset.MinValue);
        while (!stoppingToken.WaitHandle.WaitOne(CheckInterval))
        {
            foreach (var pipeline in pipelines)
            {
                if (stoppingToken.IsCancellationRequested)
                    return;
                if (time.GetUtcNow() < nextAttempt[pipeline])
                    continue;
                Series[] ready = pipeline.Store.Snapshot()
                    .Where(s => s.ClosedStepCount >= pipeline.Settings.Model.MinHistorySteps)
                    .ToArray();
                if (ready.Length == 0)
                    continue;
                bool trained = TrainOnce(pipeline, ready, stoppingToken);
                nextAttempt[pipeline] = time.GetUtcNow() + (trained ? pipeline.Settings.Model.RetrainEvery : RetryAfterFailure);
            }
        }
    }

    private bool TrainOnce(TargetPipeline pipeline, Series[] series, CancellationToken stoppingToken)
    {
        var settings = pipeline.Settings;
        string target = settings.Name;
        try
        {
            var data = new TrainingSet(settings.Model.Window, ForecastHeads.StepsFor(settings));
            foreach (var s in series)
            {
                int length = Math.Min(s.ClosedStepCount, settings.Model.TrainWindowSteps);
                var history = new float[length];
                s.CopyHistory(s.LastClosedStep, history);
                data.AddSeries(s.Id, history, settings.Model.ValidationFraction);
            }
            var (model, report) = Trainer.Train(data, settings.Model, stoppingToken);
            pipeline.Publish(model);
            metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Success).Inc();
            metrics.TrainingDuration.WithLabels(target).Observe(report.Duration.TotalSeconds);
            metrics.ValidationLoss.WithLabels(target).Set(report.ValidationLoss);
            metrics.LastTrained.WithLabels(target).Set(model.TrainedAt.ToUnixTimeMilliseconds() / 1000.0);
            logger.LogInformation(
                "Trained target {Target}: {Series} series, {Examples} examples, {Epochs} epochs, train loss {TrainLoss:G4}, validation loss {ValidationLoss:G4}, {Seconds:F1}s",
                target, series.Length, report.Examples, report.Epochs, report.TrainLoss, report.ValidationLoss, report.Duration.TotalSeconds);
            return true;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return false;
        }
        catch (Exception e)
        {
            metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Failure).Inc();
            logger.LogWarning("Training target {Target} failed: {Reason}", target, e.Message);
            return false;
        }
    }
}
