using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// The network's inputs for a batch of series that advance by the same steps (<see cref="StepPlan"/>): each
/// series' scaler under the serving model, its values over the steps fed with their day-ago and week-ago lags,
/// the calendar, its input levels and its covariates, written into the step's kept buffers
/// (<see cref="StepBuffers"/>) with each series' state slot, whether its newest step holds a value, and that
/// value. Used by the inference loop only.
/// </summary>
/// <param name="stateOf">The pipeline's state of a series, made if need be: a covariate's scaler lives there.</param>
/// <param name="slotFor">The model a series is forecast with, null before there is one.</param>
internal sealed class NetworkInputs(TargetSettings settings, FeatureLayout layout, StepBuffers buffers, TargetStore store,
    Func<Series, SeriesState> stateOf, Func<SeriesState, ModelSlot?> slotFor)
{
    private CovariateIndex? _covariateIndex;
    private int _covariateIndexAt = -1;

    /// <summary>
    /// Fills <see cref="StepBuffers.Inputs"/>, <see cref="StepBuffers.Slots"/>, <see cref="StepBuffers.Usable"/>
    /// and <see cref="StepBuffers.LastValues"/> for <paramref name="plans"/>, each moved on by
    /// <paramref name="steps"/> under <paramref name="slot"/>'s model, and marks each series' state as fed up to its last step.
    /// </summary>
    public void Fill(ReadOnlySpan<StepPlan> plans, ModelSlot slot, int steps)
    {
        int features = layout.Count;
        // Kept from one step to the next (StepBuffers); the tensors take the prefix this chunk needs.
        float[] inputs = buffers.Inputs(plans.Length * steps * features);
        float[] values = buffers.Values(steps);
        float[] daily = buffers.Daily(steps);
        float[] weekly = buffers.Weekly(steps);
        float[] covariate = buffers.Covariate(steps);
        long[] slots = buffers.Slots(plans.Length);
        bool[] usable = buffers.Usable(plans.Length);
        float[] lastValues = buffers.LastValues(plans.Length);
        CalendarInputs[] calendar = buffers.Calendar(steps);
        long batchFrom = plans[0].From;
        for (int t = 0; t < steps; t++)
            calendar[t] = layout.CalendarOf(batchFrom + t);
        for (int b = 0; b < plans.Length; b++)
        {
            var (series, state, _, from, last, _, reads, id, _) = plans[b];
            slots[b] = slot.StateIndex(id);
            ScalerFor(series, state, slot);
            if (steps == 1 && reads.Step == last)
            {
                // The steady state: Step read all of it already.
                values[0] = reads.Value;
                daily[0] = reads.DayAgo;
                weekly[0] = reads.WeekAgo;
            }
            else
            {
                // Through the cursors the step above used: each read decodes from where the last one stopped.
                series.CopyHistory(last, values, ref state.NewestRead);
                CopyLag(series, last, layout.DailyLagSteps, daily, ref state.DayAgoRead);
                CopyLag(series, last, layout.WeeklyLagSteps, weekly, ref state.WeekAgoRead);
            }
            if (state.Levels.IsUnknown)
                state.Levels = StartingLevels(series, state, from, values);
            for (int t = 0; t < steps; t++)
                layout.Fill(inputs.AsSpan((b * steps + t) * features, features), from == batchFrom ? calendar[t] : layout.CalendarOf(from + t), values[t], daily[t], weekly[t], state.Scaler, ref state.Levels);
            Series?[] covariates = CovariatesOf(series, state);
            for (int c = 0; c < layout.CovariateCount; c++)
            {
                covariate.AsSpan().Fill(float.NaN);
                RobustScaler covariateScaler = default;
                if (covariates[c] is { } other)
                {
                    SeriesState otherState = stateOf(other);
                    ScalerFor(other, otherState, slotFor(otherState) ?? slot);
                    covariateScaler = otherState.Scaler;
                    other.CopyHistory(last, covariate);
                }
                for (int t = 0; t < steps; t++)
                {
                    float raw = covariate[t];
                    layout.FillCovariate(inputs.AsSpan((b * steps + t) * features, features), c, float.IsNaN(raw) ? float.NaN : covariateScaler.Scale(raw));
                }
            }
            state.StateStep = last;
            usable[b] = !float.IsNaN(values[^1]);
            lastValues[b] = values[^1];
        }
    }

    /// <summary>The covariates of <paramref name="series"/>, resolved again whenever the target gained series.</summary>
    private Series?[] CovariatesOf(Series series, SeriesState state)
    {
        if (layout.CovariateCount == 0)
            return [];
        // The store's version, not its count: a series forgotten and another added leave the count as it was.
        int version = store.Version;
        if (state.CovariatesResolvedAt != version)
        {
            if (_covariateIndex is null || _covariateIndexAt != version)
            {
                _covariateIndex = new CovariateIndex(settings.Model.Features.Covariates, store.Snapshot());
                _covariateIndexAt = version;
            }
            state.Covariates = _covariateIndex.Resolve(series);
            state.CovariatesResolvedAt = version;
        }
        return state.Covariates;
    }

    private static void CopyLag(Series series, long last, int lagSteps, float[] destination, ref HistoryCursor cursor)
    {
        if (lagSteps == 0)
            return;
        series.CopyHistory(last - lagSteps, destination, ref cursor);
    }

    // A series (re)starting on a window: with smoothed levels, run them over the steps before it first, as
    // training does before each lane; otherwise, and without earlier history, start from the window's first value.
    private InputLevels StartingLevels(Series series, SeriesState state, long from, float[] window)
    {
        if (layout.Settings.SmoothedLevels)
        {
            float[] before = buffers.LevelWarmup(InputLevels.WarmupSteps);
            series.CopyHistory(from - 1, before);
            var levels = InputLevels.Over(before, state.Scaler);
            if (!levels.IsUnknown)
                return levels;
        }
        return InputLevels.At(FirstObserved(window, state.Scaler));
    }

    private static float FirstObserved(float[] values, RobustScaler scaler)
    {
        foreach (float v in values)
        {
            if (!float.IsNaN(v))
                return scaler.Scale(v);
        }
        return 0;
    }

    private void ScalerFor(Series series, SeriesState state, ModelSlot slot)
    {
        if (state.ScalerGeneration == slot.Generation)
            return;
        state.ScalerGeneration = slot.Generation;
        if (slot.Model.Description.Scalers.TryGetValue(state.Key, out RobustScaler scaler))
        {
            state.Scaler = scaler;
            return;
        }
        // A series born after the last training run gets forecasts at once, scaled by its own history.
        int length = Math.Max(settings.Model.Window, Math.Min(series.ClosedStepCount, settings.Model.FitWindowSteps));
        var history = new float[length];
        series.CopyHistory(series.LastClosedStep, history);
        state.Scaler = RobustScaler.Fit(history);
    }
}
