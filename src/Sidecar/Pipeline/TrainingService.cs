using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using TorchSharp;

namespace Sidecar.Pipeline;

/// <summary>
/// The training scheduler. On a thread of its own, below normal priority and with its own libtorch
/// thread budget, so training never blocks ingest or scrapes and doesn't starve inference. At start it
/// loads each target's saved model and uses it at once if it was trained under the same config. Then it
/// trains a target as soon as one of its series has <c>min_history</c> closed steps, and refits every
/// <c>fit_every</c> on the last <c>fit_window</c>. A new model replaces the one in use only if its
/// validation loss, on the same data, is no worse; the decision is logged.
/// </summary>
internal sealed class TrainingService(
    IReadOnlyList<TargetPipeline> pipelines, SidecarSettings settings, StoragePath storage, SelfMetrics metrics, TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        Thread.CurrentThread.Priority = ThreadPriority.BelowNormal;
        // libtorch's OpenMP pool takes its size from the calling thread's setting.
        torch.set_num_threads(settings.Compute.TrainingThreads);
        var schedules = pipelines.ToDictionary(p => p, p => new TargetSchedule(p.Settings));
        try
        {
            foreach (var (pipeline, schedule) in schedules)
                LoadSaved(pipeline, schedule);
            do
            {
                foreach (var (pipeline, schedule) in schedules)
                {
                    if (stoppingToken.IsCancellationRequested)
                        return;
                    if (time.GetUtcNow() >= schedule.NextFit)
                        FitIfReady(pipeline, schedule, stoppingToken);
                }
            }
            while (!stoppingToken.WaitHandle.WaitOne(CheckInterval));
        }
        finally
        {
            foreach (var schedule in schedules.Values)
                schedule.Incumbent?.Dispose();
        }
    }

    private void LoadSaved(TargetPipeline pipeline, TargetSchedule schedule)
    {
        string path = ModelFile.PathFor(storage.Directory, pipeline.Settings.Name);
        if (!File.Exists(path))
            return;
        try
        {
            TrainedModel saved = ModelFile.Read(path);
            if (saved.Description.ConfigHash != schedule.ConfigHash)
            {
                logger.LogInformation("Saved model of target {Target} was trained under another config ({Saved}, now {Current}): not used, retraining",
                    pipeline.Settings.Name, saved.Description.ConfigHash, schedule.ConfigHash);
                saved.Dispose();
                return;
            }
            Adopt(pipeline, schedule, saved);
            schedule.NextFit = saved.Description.TrainedAt + pipeline.Settings.Model.FitEvery;
            logger.LogInformation("Loaded saved model of target {Target}: trained {TrainedAt:u}, validation loss {ValidationLoss:G4}; next fit {NextFit:u}",
                pipeline.Settings.Name, saved.Description.TrainedAt, saved.Description.ValidationLoss, schedule.NextFit);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning("Saved model of target {Target} can't be used, retraining: {Reason}", pipeline.Settings.Name, e.Message);
        }
    }

    private void FitIfReady(TargetPipeline pipeline, TargetSchedule schedule, CancellationToken stoppingToken)
    {
        var target = pipeline.Settings;
        var data = TrainingData.From(pipeline.Store);
        if (data.Series.Count == 0)
            return;
        schedule.NextFit = time.GetUtcNow() + (TrainOnce(pipeline, schedule, data, stoppingToken) ? target.Model.FitEvery : RetryAfterFailure);
    }

    private bool TrainOnce(TargetPipeline pipeline, TargetSchedule schedule, SequenceSet data, CancellationToken stoppingToken)
    {
        var settings = pipeline.Settings;
        string target = settings.Name;
        metrics.Training.WithLabels(target).Set(1);
        try
        {
            var lastLog = DateTimeOffset.MinValue;
            void Progress(TrainingProgress p)
            {
                metrics.TrainingEpoch.WithLabels(target).Set(p.Epoch);
                metrics.TrainingLoss.WithLabels(target).Set(p.TrainLoss);
                metrics.TrainingValidationLoss.WithLabels(target).Set(p.ValidationLoss);
                if (time.GetUtcNow() - lastLog < ProgressLogInterval)
                    return;
                lastLog = time.GetUtcNow();
                logger.LogInformation("Training target {Target}: epoch {Epoch}/{MaxEpochs}, train loss {TrainLoss:G4}, validation loss {ValidationLoss:G4} (best {Best:G4}), {Elapsed:F0}s elapsed, at most {Remaining:F0}s left",
                    target, p.Epoch, p.MaxEpochs, p.TrainLoss, p.ValidationLoss, p.BestValidationLoss, p.Elapsed.TotalSeconds, p.WorstCaseRemaining.TotalSeconds);
            }

            var (model, report) = Trainer.Train(data, settings.Model, schedule.ConfigHash, Progress, stoppingToken);
            metrics.TrainingDuration.WithLabels(target).Observe(report.Duration.TotalSeconds);
            double incumbentLoss = schedule.Incumbent is null ? double.PositiveInfinity : Trainer.ValidationLoss(schedule.Incumbent.Network, data, settings.Model);
            if (!(report.ValidationLoss <= incumbentLoss))
            {
                metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Kept).Inc();
                logger.LogInformation(
                    "Trained target {Target}: {Series} series, {Epochs} epochs, validation loss {New:G4} is worse than the model in use ({Old:G4}) on the same data: kept the model in use ({Seconds:F1}s)",
                    target, report.Series, report.Epochs, report.ValidationLoss, incumbentLoss, report.Duration.TotalSeconds);
                model.Dispose();
                return true;
            }
            Save(target, model);
            Adopt(pipeline, schedule, model);
            metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Success).Inc();
            logger.LogInformation(
                "Trained target {Target}: {Series} series, {Steps} series-steps, {Epochs} epochs, train loss {TrainLoss:G4}, validation loss {ValidationLoss:G4} (model in use: {Old:G4}): replaced, {Seconds:F1}s",
                target, report.Series, report.TrainSteps, report.Epochs, report.TrainLoss, report.ValidationLoss, incumbentLoss, report.Duration.TotalSeconds);
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
        finally
        {
            metrics.Training.WithLabels(target).Set(0);
        }
    }

    private void Save(string target, TrainedModel model)
    {
        try
        {
            ModelFile.Write(ModelFile.PathFor(storage.Directory, target), model);
        }
        catch (IOException e)
        {
            // The model still serves; it is only retrained after a restart.
            logger.LogWarning("Saving the model of target {Target} failed: {Reason}", target, e.Message);
        }
    }

    /// <summary>Makes <paramref name="model"/> the one in use: the scheduler keeps it, inference gets a copy.</summary>
    private void Adopt(TargetPipeline pipeline, TargetSchedule schedule, TrainedModel model)
    {
        schedule.Incumbent?.Dispose();
        schedule.Incumbent = model;
        pipeline.Publish(model.Clone());
        string target = pipeline.Settings.Name;
        metrics.ValidationLoss.WithLabels(target).Set(model.Description.ValidationLoss);
        metrics.LastTrained.WithLabels(target).Set(model.Description.TrainedAt.ToUnixTimeMilliseconds() / 1000.0);
    }

    private sealed class TargetSchedule(TargetSettings settings)
    {
        public string ConfigHash { get; } = ModelConfigHash.Compute(settings);

        public DateTimeOffset NextFit { get; set; } = DateTimeOffset.MinValue;

        /// <summary>The model in use, owned by this thread; new models are judged against it.</summary>
        public TrainedModel? Incumbent { get; set; }
    }
}
