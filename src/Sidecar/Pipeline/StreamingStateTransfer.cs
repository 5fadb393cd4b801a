namespace Sidecar.Pipeline;

/// <summary>
/// The carried LSTM states of a target-wide model out to a snapshot (<see cref="SavedStates"/>) and back into
/// the same model after a restart, so its series continue where they stood instead of warming up again.
/// </summary>
internal static class StreamingStateTransfer
{
    /// <summary>The state of every series warm under <paramref name="slot"/>, with the forecast made at its state step.</summary>
    public static SavedStates Export(ModelSlot slot, SeriesStateTable states)
    {
        var model = slot.Model;
        var (hidden, cell) = slot.States.Export();
        int layers = model.Network.Layers, size = model.Network.HiddenSize, slots = slot.States.Slots;
        var series = new List<SavedSeriesState>();
        for (int id = 0; id < states.Count; id++)
        {
            SeriesState? state = states[id];
            if (state is null || state.StateStep == long.MinValue || state.ScalerGeneration != slot.Generation)
                continue;
            var h = new float[layers * size];
            var c = new float[layers * size];
            for (int l = 0; l < layers; l++)
            {
                Array.Copy(hidden, ((long)l * slots + id) * size, h, l * size, size);
                Array.Copy(cell, ((long)l * slots + id) * size, c, l * size, size);
            }
            float[] forecast = state.ForecastStep == state.StateStep && state.ForecastModel == TargetPipeline.LstmModelName && state.Forecast is not null ? [.. state.Forecast] : [];
            series.Add(new SavedSeriesState(state.Key, state.StateStep, state.Levels, state.Scaler, h, c, forecast));
        }
        return new SavedStates(model.Description.ConfigHash, model.Description.TrainedAt.UtcTicks, layers, size, series);
    }

    /// <summary>
    /// Puts <paramref name="restored"/> back as <paramref name="state"/>'s under <paramref name="slot"/>: the series
    /// continues from its state step, and its saved forecast serves until its next step (when it has every horizon's).
    /// </summary>
    public static void Restore(SeriesState state, ModelSlot slot, SavedSeriesState restored, int horizons)
    {
        slot.States.Import(slot.StateIndex(state.Series.Id), restored.Hidden, restored.Cell);
        state.StateStep = restored.StateStep;
        state.Levels = restored.Levels;
        state.Scaler = restored.Scaler;
        state.ScalerGeneration = slot.Generation;
        if (restored.Forecast.Length == horizons * 3)
        {
            state.Forecast = [.. restored.Forecast];
            state.ForecastStep = restored.StateStep;
            state.ForecastModel = TargetPipeline.LstmModelName;
            state.ForecastOrigin = state.Series.CopyHistoryAt(restored.StateStep);
        }
    }
}
