using Microsoft.Extensions.Logging;

namespace Sidecar.Pipeline;

/// <summary>Saves every target's streaming states beside each store snapshot (<see cref="SavedStatesFile"/>).</summary>
internal sealed class SavedStatesWriter(PipelineSet pipelines, string directory, ILogger<SavedStatesWriter> logger)
{
    public void Save()
    {
        foreach (var pipeline in pipelines.Current)
        {
            try
            {
                if (pipeline.ExportStates() is { } states)
                    SavedStatesFile.Write(SavedStatesFile.PathFor(directory, pipeline.Settings.Name), states);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // After a restart those series warm up from their history instead.
                logger.LogWarning("Saving the streaming states of target {Target} failed: {Reason}", pipeline.Settings.Name, e.Message);
            }
        }
    }
}
