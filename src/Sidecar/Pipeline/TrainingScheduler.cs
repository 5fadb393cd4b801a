using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;

namespace Sidecar.Pipeline;

/// <summary>
/// Decides when each target trains and whether the result replaces the model in use. Synchronous, so the
/// serving loop (<see cref="TrainingService"/>) and <c>backtest</c>'s simulated clock share one schedule:
/// <list type="bullet">
/// <item>at start, a saved model trained under the same config is used at once;</item>
/// <item>a target trains once one of its series has <c>min_history</c> closed steps (looked for every <see cref="LookInterval"/>), then every
/// <c>fit_every</c> on the last <c>fit_window</c>;</item>
/// <item>a new model replaces the one in use only if its validation loss, on the same data, is no worse.</item>
/// </list>
/// </summary>
internal sealed class TrainingScheduler(
    IReadOnlyList<TargetPipeline> pipelines, string? modelDirectory, SelfMetrics metrics, TimeProvider time, ILogger logger) : IDisposable
{
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ProgressLogInterval = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long the training thread waits between looks at a target's series, for one with <c>min_history</c>
    /// or one due a <c>model.combine</c> refit: a step, in which new history closes, but at most a minute, since
    /// a backfill brings history at any time and a long-step target would otherwise wait a whole step for it.
    /// Each look reads every series of the target: at every pass (one a second) it was most of an idle
    /// sidecar's CPU (issue 19).
    /// </summary>
    internal static TimeSpan LookInterval(TargetSettings target) =>
        target.Step < LongestLookInterval ? target.Step : LongestLookInterval;

    private static readonly TimeSpan LongestLookInterval = TimeSpan.FromMinutes(1);

    private IReadOnlyList<TargetPipeline> _pipelines = pipelines;

    private readonly Dictionary<TargetPipeline, TargetSchedule> _schedules = pipelines
        .Where(p => p.Settings.Model.Scope == ModelScope.Target)
        .ToDictionary(p => p, p => new TargetSchedule(p.Settings, null));

    // With model.scope: series, one schedule (and one model) per series, created as series qualify.
    private readonly Dictionary<(TargetPipeline, string), TargetSchedule> _seriesSchedules = [];

    /// <summary>Loads every target's saved model that still matches the config.</summary>
    public void LoadSaved() => LoadSaved(_pipelines);

    private void LoadSaved(IReadOnlyList<TargetPipeline> pipelines)
    {
        if (modelDirectory is null)
            return;
        foreach (var (pipeline, schedule) in _schedules.Where(s => pipelines.Contains(s.Key)))
        {
            if (File.Exists(schedule.PathIn(modelDirectory, pipeline.Settings.Name)))
                LoadSaved(pipeline, schedule, schedule.PathIn(modelDirectory, pipeline.Settings.Name));
        }
        foreach (var pipeline in pipelines.Where(p => p.Settings.Model.Scope == ModelScope.Series))
        {
            string directory = ModelFile.SeriesDirectory(modelDirectory, pipeline.Settings.Name);
            if (!Directory.Exists(directory))
                continue;
            foreach (string path in Directory.EnumerateFiles(directory, "*.model"))
                LoadSavedSeriesModel(pipeline, path);
        }
    }

    private void LoadSavedSeriesModel(TargetPipeline pipeline, string path)
    {
        try
        {
            using var probe = ModelFile.Read(path);
            // A per-series model was trained on one series: its only scaler names it.
            if (probe.Description.Scalers.Count != 1)
                return;
            string key = probe.Description.Scalers.Keys.Single();
            var schedule = new TargetSchedule(pipeline.Settings, key);
            _seriesSchedules[(pipeline, key)] = schedule;
            LoadSaved(pipeline, schedule, path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning("Saved model {Path} of target {Target} can't be used: {Reason}", path, pipeline.Settings.Name, e.Message);
        }
    }

    /// <summary>
    /// Follows a reload between runs: pipelines kept by the reload keep their schedule and model; a
    /// pipeline that replaced one of the same target starts without a model, so it trains as soon as it
    /// has the history; a target new to this process first looks for a saved model, as at start; models
    /// of pipelines that left are disposed.
    /// </summary>
    public void Follow(IReadOnlyList<TargetPipeline> current)
    {
        if (ReferenceEquals(current, _pipelines))
            return;
        var known = _pipelines.Select(p => p.Settings.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in _pipelines.Except(current))
        {
            // The model these described is gone with its pipeline; a replacement sets them when it has one.
            metrics.ValidationLoss.RemoveLabelled(gone.Settings.Name);
            metrics.LastTrained.RemoveLabelled(gone.Settings.Name);
            if (_schedules.Remove(gone, out var schedule))
                schedule.Incumbent?.Dispose();
            _seriesVersions.Remove(gone);
            foreach (var key in _seriesSchedules.Keys.Where(k => k.Item1 == gone).ToList())
            {
                _seriesSchedules.Remove(key, out var seriesSchedule);
                seriesSchedule!.Incumbent?.Dispose();
            }
        }
        var added = current.Except(_pipelines).ToList();
        foreach (var pipeline in added.Where(p => p.Settings.Model.Scope == ModelScope.Target))
            _schedules[pipeline] = new TargetSchedule(pipeline.Settings, null);
        _pipelines = current;
        LoadSaved(added.Where(p => !known.Contains(p.Settings.Name)).ToList());
    }

    /// <summary>Trains every target whose fit is due and has enough history; returns how many trained.</summary>
    public int RunDue(CancellationToken cancellation)
    {
        int trained = 0;
        foreach (var pipeline in _pipelines)
        {
            if (cancellation.IsCancellationRequested)
                break;
            bool requested = pipeline.Training.TakeRetrainRequest();
            if (pipeline.Settings.Model.Scope == ModelScope.Target)
            {
                trained += RunIfDue(pipeline, _schedules[pipeline], null, requested, cancellation) ? 1 : 0;
                continue;
            }
            // The store's shared list, not a copy: read at every pass (one a second). Its version first: a
            // series forgotten in between then shows as a change at the next pass.
            int version = pipeline.Store.Version;
            IReadOnlyList<Store.Series> live = pipeline.Store.Current();
            ForgetSeriesModelsIfChanged(pipeline, live, version);
            for (int i = 0; i < live.Count; i++) // by index: a foreach through the interface allocates an enumerator
            {
                Store.Series series = live[i];
                if (cancellation.IsCancellationRequested || series.ClosedStepCount < pipeline.Settings.Model.MinHistorySteps)
                    continue;
                string key = series.Labels.ToString();
                if (!_seriesSchedules.TryGetValue((pipeline, key), out var schedule))
                    _seriesSchedules[(pipeline, key)] = schedule = new TargetSchedule(pipeline.Settings, key);
                trained += RunIfDue(pipeline, schedule, series, requested, cancellation) ? 1 : 0;
            }
        }
        // model.combine's Holt-Winters fits, a few series a pass, after the networks' runs.
        long nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var pipeline in _pipelines)
        {
            if (cancellation.IsCancellationRequested)
                break;
            pipeline.Refits.RunDue(nowMs);
        }
        return trained;
    }

    /// <summary>
    /// With <c>model.scope: series</c>, drops the schedule, model and model file of every series the store
    /// no longer holds (forgotten after its retention, or not restored because it was forgotten while the
    /// sidecar was down): a fleet that redeploys daily would otherwise fill the disk with dead models.
    /// </summary>
    /// <param name="version">The store's <see cref="Store.TargetStore.Version"/>, read before <paramref name="live"/>.</param>
    private void ForgetSeriesModelsIfChanged(TargetPipeline pipeline, IReadOnlyList<Store.Series> live, int version)
    {
        // Only a series forgotten since the last look can have left a model behind, and forgetting changes the
        // store's version: at every pass (one a second) the set of every series' key below was garbage in
        // proportion to the target's size.
        if (_seriesVersions.TryGetValue(pipeline, out int seen) && seen == version)
            return;
        _seriesVersions[pipeline] = version;
        ForgetSeriesModels(pipeline, live);
    }

    // The store version each per-series target's models were last checked against (ForgetSeriesModelsIfChanged).
    private readonly Dictionary<TargetPipeline, int> _seriesVersions = [];

    private void ForgetSeriesModels(TargetPipeline pipeline, IReadOnlyList<Store.Series> live)
    {
        var keys = live.Select(s => s.Labels.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var key in _seriesSchedules.Keys.Where(k => k.Item1 == pipeline && !keys.Contains(k.Item2)).ToList())
        {
            _seriesSchedules.Remove(key, out var schedule);
            schedule!.Incumbent?.Dispose();
            if (modelDirectory is null)
                continue;
            string path = schedule.PathIn(modelDirectory, pipeline.Settings.Name);
            try
            {
                File.Delete(path);
                logger.LogInformation("Deleted the model of forgotten series {Series} of target {Target}", key.Item2, pipeline.Settings.Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("The model of forgotten series {Series} of target {Target} could not be deleted: {Reason}", key.Item2, pipeline.Settings.Name, e.Message);
            }
        }
    }

    private bool RunIfDue(TargetPipeline pipeline, TargetSchedule schedule, Store.Series? only, bool requested, CancellationToken cancellation)
    {
        if (!requested && time.GetUtcNow() < schedule.NextFit)
            return false;
        var data = TrainingData.From(pipeline.Store, only);
        if (data.Series.Count == 0)
        {
            // No series has min_history yet: look again a step on, or a minute (LookInterval), not at every
            // pass (one a second), each of which copied and read every series of the target.
            schedule.NextFit = time.GetUtcNow() + LookInterval(pipeline.Settings);
            return false;
        }
        if (Trainer.WhyCannotTrain(data, pipeline.Settings.Model) is { } reason)
        {
            // Not a failure: the history can't make a run succeed yet. Check again a step on, when it has grown.
            metrics.TrainingWaiting.WithLabels(pipeline.Settings.Name).Set(1);
            pipeline.Training.Wait(reason);
            if (schedule.WaitingFor != reason)
                logger.LogInformation("Target {Target} waits to train: {Reason}", pipeline.Settings.Name, reason);
            schedule.WaitingFor = reason;
            schedule.NextFit = time.GetUtcNow() + (pipeline.Settings.Step > RetryAfterFailure ? pipeline.Settings.Step : RetryAfterFailure);
            return false;
        }
        metrics.TrainingWaiting.WithLabels(pipeline.Settings.Name).Set(0);
        schedule.WaitingFor = null;
        bool ok = TrainOnce(pipeline, schedule, data, cancellation);
        schedule.NextFit = time.GetUtcNow() + (ok ? pipeline.Settings.Model.FitEvery : RetryAfterFailure);
        return ok;
    }

    private void LoadSaved(TargetPipeline pipeline, TargetSchedule schedule, string path)
    {
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
            if (schedule.SeriesKey is null)
                SeedSavedStates(pipeline);
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

    // Streaming states saved with the last snapshot; the pipeline only uses them if they belong to this model.
    private void SeedSavedStates(TargetPipeline pipeline)
    {
        string path = SavedStatesFile.PathFor(modelDirectory!, pipeline.Settings.Name);
        if (!File.Exists(path))
            return;
        try
        {
            pipeline.SeedStates(SavedStatesFile.Read(path));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            logger.LogWarning("Saved streaming states of target {Target} can't be used; its series warm up again: {Reason}", pipeline.Settings.Name, e.Message);
        }
    }

    private bool TrainOnce(TargetPipeline pipeline, TargetSchedule schedule, SequenceSet data, CancellationToken cancellation)
    {
        var settings = pipeline.Settings;
        string target = settings.Name;
        metrics.Training.WithLabels(target).Set(1);
        pipeline.Training.Started(settings.Model.MaxEpochs);
        try
        {
            var lastLog = DateTimeOffset.MinValue;
            void Progress(TrainingProgress p)
            {
                metrics.TrainingEpoch.WithLabels(target).Set(p.Epoch);
                metrics.TrainingLoss.WithLabels(target).Set(p.TrainLoss);
                metrics.TrainingValidationLoss.WithLabels(target).Set(p.ValidationLoss);
                pipeline.Training.Progressed(p);
                if (DateTimeOffset.UtcNow - lastLog < ProgressLogInterval)
                    return;
                lastLog = DateTimeOffset.UtcNow;
                logger.LogInformation("Training target {Target}: epoch {Epoch}/{MaxEpochs}, train loss {TrainLoss:G4}, validation loss {ValidationLoss:G4} (best {Best:G4}), {Elapsed:F0}s elapsed, at most {Remaining:F0}s left",
                    target, p.Epoch, p.MaxEpochs, p.TrainLoss, p.ValidationLoss, p.BestValidationLoss, p.Elapsed.TotalSeconds, p.WorstCaseRemaining.TotalSeconds);
            }

            var (model, report) = Trainer.Train(data, settings.Model, schedule.ConfigHash, Progress, cancellation);
            metrics.TrainingDuration.WithLabels(target).Observe(report.Duration.TotalSeconds);
            double incumbentLoss = schedule.Incumbent is null ? double.PositiveInfinity : Trainer.ValidationLoss(schedule.Incumbent.Network, data, settings.Model);
            if (!(report.ValidationLoss <= incumbentLoss))
            {
                metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Kept).Inc();
                pipeline.Training.Finished(SelfMetrics.TrainingResult.Kept, time.GetUtcNow());
                logger.LogInformation(
                    "Trained target {Target}: {Series} series, {Epochs} epochs, validation loss {New:G4} is worse than the model in use ({Old:G4}) on the same data: kept the model in use ({Seconds:F1}s)",
                    target, report.Series, report.Epochs, report.ValidationLoss, incumbentLoss, report.Duration.TotalSeconds);
                model.Dispose();
                return true;
            }
            Save(target, schedule, model);
            Adopt(pipeline, schedule, model);
            metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Success).Inc();
            pipeline.Training.Finished(SelfMetrics.TrainingResult.Success, time.GetUtcNow());
            logger.LogInformation(
                "Trained target {Target}: {Series} series, {Steps} series-steps, {Epochs} epochs, train loss {TrainLoss:G4}, validation loss {ValidationLoss:G4} (model in use: {Old}): replaced, {Seconds:F1}s",
                target, report.Series, report.TrainSteps, report.Epochs, report.TrainLoss, report.ValidationLoss,
                double.IsPositiveInfinity(incumbentLoss) ? "none" : incumbentLoss.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), report.Duration.TotalSeconds);
            return true;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            pipeline.Training.Finished("cancelled", time.GetUtcNow());
            return false;
        }
        catch (Exception e)
        {
            metrics.TrainingRuns.WithLabels(target, SelfMetrics.TrainingResult.Failure).Inc();
            pipeline.Training.Finished(SelfMetrics.TrainingResult.Failure, time.GetUtcNow(), e.Message);
            logger.LogWarning("Training target {Target} failed: {Reason}", target, e.Message);
            return false;
        }
        finally
        {
            metrics.Training.WithLabels(target).Set(0);
        }
    }

    private void Save(string target, TargetSchedule schedule, TrainedModel model)
    {
        if (modelDirectory is null)
            return;
        try
        {
            ModelFile.Write(schedule.PathIn(modelDirectory, target), model);
        }
        catch (IOException e)
        {
            // The model still serves; only a restart would retrain it.
            logger.LogWarning("Saving the model of target {Target} failed: {Reason}", target, e.Message);
        }
    }

    /// <summary>Makes <paramref name="model"/> the one in use: the scheduler keeps it, inference gets a copy.</summary>
    private void Adopt(TargetPipeline pipeline, TargetSchedule schedule, TrainedModel model)
    {
        schedule.Incumbent?.Dispose();
        schedule.Incumbent = model;
        pipeline.Publish(model.Clone(), schedule.SeriesKey);
        pipeline.Training.Adopted(model.Description);
        string target = pipeline.Settings.Name;
        metrics.ValidationLoss.WithLabels(target).Set(model.Description.ValidationLoss);
        metrics.LastTrained.WithLabels(target).Set(model.Description.TrainedAt.ToUnixTimeMilliseconds() / 1000.0);
    }

    public void Dispose()
    {
        foreach (var schedule in _schedules.Values.Concat(_seriesSchedules.Values))
            schedule.Incumbent?.Dispose();
    }

    /// <param name="seriesKey">The series a per-series model is for; null for the target's model.</param>
    private sealed class TargetSchedule(TargetSettings settings, string? seriesKey)
    {
        public string ConfigHash { get; } = ModelConfigHash.Compute(settings);

        public string? SeriesKey { get; } = seriesKey;

        public string PathIn(string directory, string target) =>
            SeriesKey is null ? ModelFile.PathFor(directory, target) : ModelFile.PathFor(directory, target, SeriesKey);

        public DateTimeOffset NextFit { get; set; } = DateTimeOffset.MinValue;

        /// <summary>The model in use; new models are judged against it.</summary>
        public TrainedModel? Incumbent { get; set; }

        /// <summary>Why the last due run could not start, so it is logged once, not at every check.</summary>
        public string? WaitingFor { get; set; }
    }
}
