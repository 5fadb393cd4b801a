using Sidecar.Model;

namespace Sidecar.Pipeline;

/// <summary>
/// A target's streaming state at one moment: per series, the carried LSTM state and what goes with it.
/// It belongs to one model (<see cref="ConfigHash"/> and <see cref="TrainedAtTicks"/>) and is only put
/// back into that model.
/// </summary>
internal sealed record SavedStates(string ConfigHash, long TrainedAtTicks, int Layers, int HiddenSize, IReadOnlyList<SavedSeriesState> Series)
{
    public bool BelongsTo(TrainedModel model) =>
        model.Description.ConfigHash == ConfigHash && model.Description.TrainedAt.UtcTicks == TrainedAtTicks
        && model.Network.Layers == Layers && model.Network.HiddenSize == HiddenSize;
}

/// <param name="Key">The series' label set rendered.</param>
/// <param name="StateStep">The newest step fed into the state.</param>
/// <param name="Levels">The last observed scaled value and the smoothed levels.</param>
/// <param name="Hidden"><c>[layers, hidden]</c>.</param>
/// <param name="Cell"><c>[layers, hidden]</c>.</param>
/// <param name="Forecast">The forecast made at <paramref name="StateStep"/> (per horizon: lower, median, upper),
/// served again after a restart until the next step; empty when there was none.</param>
internal sealed record SavedSeriesState(string Key, long StateStep, InputLevels Levels, RobustScaler Scaler, float[] Hidden, float[] Cell, float[] Forecast);
