using Microsoft.Extensions.Logging;
using Sidecar.Host;

namespace Sidecar.Pipeline;

/// <summary>
/// Keeps every target's streaming states (<see cref="SavedStatesFile"/>) and scoring state
/// (<see cref="SavedScoresFile"/>) beside each store snapshot, and gives the scoring state back after a
/// restart. A file that can't be written or read costs warm-up, never the process.
/// </summary>
internal sealed class PipelineStateFiles(PipelineSet pipelines, StoragePath storage, ILogger<PipelineStateFiles> logger)
{
    public void Save()
    {
        foreach (var pipeline in pipelines.Current)
        {
            string target = pipeline.Settings.Name;
            try
            {
                if (pipeline.ExportStates() is { } states)
                    SavedStatesFile.Write(SavedStatesFile.PathFor(storage.Directory, target), states);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // After a restart those series warm up from their history instead.
                logger.LogWarning("Saving the streaming states of target {Target} failed: {Reason}", target, e.Message);
            }
            try
            {
                SavedScoresFile.Write(SavedScoresFile.PathFor(storage.Directory, target), pipeline.ExportScores());
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning("Saving the scoring state of target {Target} failed: {Reason}", target, e.Message);
            }
        }
    }

    /// <summary>Seeds each pipeline with the scoring state saved before the restart; called once, after the store is restored.</summary>
    public void LoadScores()
    {
        foreach (var pipeline in pipelines.Current)
        {
            string path = SavedScoresFile.PathFor(storage.Directory, pipeline.Settings.Name);
            if (!File.Exists(path))
                continue;
            try
            {
                var scores = SavedScoresFile.Read(path, pipeline.Settings.Anomaly.Novelty);
                pipeline.SeedScores(scores);
                logger.LogInformation("Loaded the scoring state of {Count} series of target {Target}", scores.Series.Count, pipeline.Settings.Name);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                logger.LogWarning("Saved scoring state of target {Target} can't be used; its scores warm up again: {Reason}", pipeline.Settings.Name, e.Message);
            }
        }
    }
}
