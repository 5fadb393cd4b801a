using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Per target, the step-by-step path from store to /metrics: score the closed step against the one-step
/// prediction made a step earlier, forecast every horizon in one batched forward call, and publish the
/// gauges. <see cref="Process"/> runs on the inference loop only; <see cref="Publish"/> may be called
/// from the training thread.
/// </summary>
internal sealed class TargetPipeline(TargetStore store, ForecastGauges gauges, SelfMetrics metrics, TimeProvider time, ILogger logger) : IDisposable
{
    private readonly List<SeriesState?> _states = [];
    private readonly List<Series> _work = [];
    private TrainedModel? _model;
    private TrainedModel? _published;
    private long _nextExpiryCheckMs;

    public TargetStore Store { get; } = store;

    public TargetSettings Settings => Store.Settings;

    public int ExposedCount { get; private set; }

    /// <summary>Hands a freshly trained model to the inference loop, which swaps it in at its next step.</summary>
    public void Publish(TrainedModel model)
    {
        TrainedModel? previous = Interlocked.Exchange(ref _published, model);
        previous?.Dispose();
    }

    /// <summary>Processes every series that closed a step since the last call, then expires silent ones.</summary>
    public void Process()
    {
        TrainedModel? published = Interlocked.Exchange(ref _published, null);
        if (published is not null)
        {
            _model?.Dispose();
            _model = published;
            // Forecast every series from its latest step now, not only when its next step closes.
            foreach (Series series in Store.Snapshot())
            {
                StateOf(series).ProcessedStep = long.MinValue;
                Store.NotifyClosed(series);
            }
        }

        _work.Clear();
        while (Store.TryDequeueClosed(out Series series))
            _work.Add(series);
        if (_work.Count > 0)
            Step(_work);
        SweepByTime();
    }

    private void Step(List<Series> closed)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        int window = Settings.Model.Window;
        var batch = new List<(Series Series, SeriesState State, long Step)>(closed.Count);
        var history = new float[window];
        var rows = new List<float>(closed.Count * window);
        foreach (Series series in closed)
        {
            SeriesState state = StateOf(series);
            if (series.Ended)
            {
                Hide(state);
                continue;
            }
            long step = series.LastClosedStepAt(now);
            if (step <= state.ProcessedStep)
                continue;
            state.ProcessedStep = step;
            series.CopyHistory(step, history);
            float actual = history[^1];
            if (state.PendingStep == step && !float.IsNaN(actual))
                state.LastScore = state.Scorer.Score(actual - state.PendingOneStep, actual, Settings.Anomaly);
            state.PendingStep = long.MinValue;
            if (_model is null || !InputWindow.TryFillGaps(history))
                continue;
            MinMaxScaler scaler = ScalerFor(series, state);
            foreach (float value in history)
                rows.Add(scaler.Scale(value));
            batch.Add((series, state, step));
        }
        logger.LogDebug("Target {Target}: {Closed} series closed a step, {Batch} go to inference (model: {HasModel})",
            Settings.Name, closed.Count, batch.Count, _model is not null);
        if (batch.Count == 0 || _model is null)
            return;

        int heads = _model.HeadSteps.Count;
        var outputs = new float[batch.Count * heads];
        long started = Stopwatch.GetTimestamp();
        BatchPredictor.Predict(_model, [.. rows], batch.Count, window, outputs);
        metrics.InferenceDuration.WithLabels(Settings.Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);

        for (int b = 0; b < batch.Count; b++)
        {
            var (series, state, step) = batch[b];
            MinMaxScaler scaler = ScalerFor(series, state);
            float lastScaled = rows[b * window + window - 1];
            state.PendingStep = step + 1;
            state.PendingOneStep = scaler.Unscale(lastScaled + outputs[b * heads]);
            if (state.Gauges is null)
            {
                state.Gauges = gauges.Create(series.Labels, Settings);
                ExposedCount++;
            }
            for (int h = 0; h < Settings.Horizons.Count; h++)
                state.Gauges.Predicted[h].Set(scaler.Unscale(lastScaled + outputs[b * heads + h + 1]));
            state.Gauges.Anomaly.Set(state.LastScore);
        }
    }

    private MinMaxScaler ScalerFor(Series series, SeriesState state)
    {
        if (_model!.Scalers.TryGetValue(series.Id, out MinMaxScaler scaler))
            return scaler;
        if (state.FallbackScalerModel != _model || state.FallbackScaler is null)
        {
            // A series born after the last training run gets forecasts at once, scaled by its own history.
            int length = Math.Max(Settings.Model.Window, Math.Min(series.ClosedStepCount, Settings.Model.TrainWindowSteps));
            var history = new float[length];
            series.CopyHistory(series.LastClosedStep, history);
            state.FallbackScaler = MinMaxScaler.Fit(history);
            state.FallbackScalerModel = _model;
        }
        return state.FallbackScaler.Value;
    }

    /// <summary>Hides series that went silent, and queues those whose last step closed by time alone.</summary>
    private void SweepByTime()
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        // Silence is measured in steps, so checking more than once a step buys nothing.
        if (now < _nextExpiryCheckMs)
            return;
        _nextExpiryCheckMs = now + Settings.StepMs;
        long timeoutMs = Settings.SeriesTimeoutSteps * Settings.StepMs;
        foreach (Series series in Store.Snapshot())
        {
            SeriesState? state = series.Id < _states.Count ? _states[series.Id] : null;
            if (state?.Gauges is not null && (series.Ended || now - series.LastReceivedAtMs > timeoutMs))
                Hide(state);
            else if (!series.Ended && state is not null && series.LastClosedStepAt(now) > state.ProcessedStep)
                Store.NotifyClosed(series); // closed by time, with no newer sample to close it
        }
    }

    private void Hide(SeriesState state)
    {
        if (state.Gauges is null)
            return;
        state.Gauges.Remove();
        state.Gauges = null;
        state.PendingStep = long.MinValue;
        ExposedCount--;
    }

    private SeriesState StateOf(Series series)
    {
        while (_states.Count <= series.Id)
            _states.Add(null);
        return _states[series.Id] ??= new SeriesState();
    }

    public void Dispose()
    {
        _model?.Dispose();
        Interlocked.Exchange(ref _published, null)?.Dispose();
        logger.LogDebug("Pipeline for target {Target} disposed", Settings.Name);
    }
}
