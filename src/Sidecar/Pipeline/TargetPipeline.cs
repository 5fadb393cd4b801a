using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Model.Baselines;
using Sidecar.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Pipeline;

/// <summary>
/// Per target, the step-by-step path from store to /metrics: score the closed step against the one-step
/// prediction made a step earlier, advance each series' carried LSTM state by the steps it closed, and
/// publish every horizon's quantiles. Series that moved by the same number of steps share one batched
/// forward call; in steady state that is every series of the target at once. A series without a warm
/// state (new, or the model changed) is warmed up on its last window first, batched the same way.
/// Until the target's first model is trained, the configured baseline (<c>model.fallback</c>) forecasts
/// instead, under its own <c>model</c> label.
/// <see cref="Process"/> runs on the inference loop only; <see cref="Publish"/> may be called from the
/// training thread.
/// </summary>
internal sealed class TargetPipeline(TargetStore store, ForecastGauges gauges, SelfMetrics metrics, TimeProvider time, ILogger logger) : IDisposable
{
    public const string LstmModelName = "lstm";

    private readonly List<SeriesState?> _states = [];
    private readonly List<Series> _work = [];
    private readonly FeatureLayout _layout = new(store.Settings.Model.Features, store.Settings.StepMs);
    private TrainedModel? _model;
    private StreamingStates? _streaming;
    private int _generation;
    private TrainedModel? _published;
    private SavedStates? _seededStates;
    private CovariateIndex? _covariateIndex;
    private int _covariateIndexAt = -1;

    // Held by each Process call and by ExportStates, so a snapshot never sees a step half-applied.
    private readonly Lock _gate = new();
    private long _nextExpiryCheckMs;
    private readonly Fallback? _fallback = store.Settings.Model.Fallback is { } name ? new Fallback(name, store.Settings) : null;

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
        lock (_gate)
            ProcessLocked();
    }

    /// <summary>
    /// Hands the pipeline states saved before a restart; they are put back when the model they belong to
    /// is swapped in, instead of warming those series up again.
    /// </summary>
    public void SeedStates(SavedStates states)
    {
        lock (_gate)
            _seededStates = states;
    }

    /// <summary>The streaming state of every warm series, for the snapshot; null without a model.</summary>
    public SavedStates? ExportStates()
    {
        lock (_gate)
        {
            if (_model is null || _streaming is null)
                return null;
            var (hidden, cell) = _streaming.Export();
            int layers = _model.Network.Layers, size = _model.Network.HiddenSize, slots = _streaming.Slots;
            var series = new List<SavedSeriesState>();
            for (int slot = 0; slot < _states.Count; slot++)
            {
                SeriesState? state = _states[slot];
                if (state is null || state.StateStep == long.MinValue || state.ScalerGeneration != _generation)
                    continue;
                var h = new float[layers * size];
                var c = new float[layers * size];
                for (int l = 0; l < layers; l++)
                {
                    Array.Copy(hidden, ((long)l * slots + slot) * size, h, l * size, size);
                    Array.Copy(cell, ((long)l * slots + slot) * size, c, l * size, size);
                }
                series.Add(new SavedSeriesState(state.Key, state.StateStep, state.Anchor, state.Scaler, h, c));
            }
            return new SavedStates(_model.Description.ConfigHash, _model.Description.TrainedAt.UtcTicks, layers, size, series);
        }
    }

    private void ProcessLocked()
    {
        TrainedModel? published = Interlocked.Exchange(ref _published, null);
        if (published is not null)
            SwapIn(published);

        _work.Clear();
        while (Store.TryDequeueClosed(out Series series))
            _work.Add(series);
        if (_work.Count > 0)
            Step(_work);
        SweepByTime();
    }

    private void SwapIn(TrainedModel published)
    {
        _streaming?.Dispose();
        _model?.Dispose();
        _model = published;
        _streaming = new StreamingStates(published.Network.Layers, published.Network.HiddenSize);
        _generation++;
        // Every state belongs to the old network: warm each series up again and forecast it now, not
        // only when its next step closes.
        var seeded = _seededStates is { } saved && saved.BelongsTo(published) ? saved.Series.ToDictionary(s => s.Key) : null;
        _seededStates = null;
        foreach (Series series in Store.Snapshot())
        {
            SeriesState state = StateOf(series);
            state.StateStep = long.MinValue;
            state.ProcessedStep = long.MinValue;
            if (seeded is not null && seeded.TryGetValue(state.Key, out var restored))
            {
                // The state carried before the restart: the series continues from its state step.
                _streaming.Import(series.Id, restored.Hidden, restored.Cell);
                state.StateStep = restored.StateStep;
                state.Anchor = restored.Anchor;
                state.Scaler = restored.Scaler;
                state.ScalerGeneration = _generation;
            }
            Store.NotifyClosed(series);
        }
    }

    private void Step(List<Series> closed)
    {
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        int window = Settings.Model.Window;
        var plans = new List<StepPlan>(closed.Count);
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
            float actual = series.CopyHistoryAt(step);
            if (state.PendingStep == step && !float.IsNaN(actual))
                state.LastScore = state.Scorer.Score(actual - state.PendingOneStep, actual, Settings.Anomaly);
            state.PendingStep = long.MinValue;
            if (_model is null)
            {
                if (_fallback is not null)
                    ForecastWithFallback(series, state, step, _fallback);
                continue;
            }
            if (state.StateStep >= step)
            {
                // A state restored at this very step: nothing new to feed; the next step forecasts.
                continue;
            }
            if (state.StateStep != long.MinValue && step - state.StateStep <= window)
            {
                plans.Add(new StepPlan(series, state, state.StateStep + 1, step, Fresh: false));
            }
            else if (series.ClosedStepCount >= window)
            {
                // Too far behind to catch up step by step, or never warmed: restart from the last window.
                state.Anchor = float.NaN;
                plans.Add(new StepPlan(series, state, step - window + 1, step, Fresh: true));
            }
        }
        logger.LogDebug("Target {Target}: {Closed} series closed a step, {Planned} go to inference (model: {HasModel})",
            Settings.Name, closed.Count, plans.Count, _model is not null);
        if (plans.Count == 0)
            return;

        long started = Stopwatch.GetTimestamp();
        foreach (var group in plans.GroupBy(p => (p.Steps, p.Fresh)))
            Run(group.ToList(), group.Key.Steps, group.Key.Fresh);
        metrics.InferenceDuration.WithLabels(Settings.Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>One batched forward call for series that advance by the same number of steps.</summary>
    private void Run(List<StepPlan> plans, int steps, bool fresh)
    {
        TrainedModel model = _model!;
        int features = _layout.Count;
        var inputs = new float[plans.Count * steps * features];
        var values = new float[steps];
        var daily = new float[steps];
        var weekly = new float[steps];
        var covariate = new float[steps];
        var slots = new long[plans.Count];
        var usable = new bool[plans.Count];
        _streaming!.EnsureSlots(plans.Max(p => p.Series.Id) + 1);
        for (int b = 0; b < plans.Count; b++)
        {
            var (series, state, from, last, _) = plans[b];
            slots[b] = series.Id;
            ScalerFor(series, state);
            series.CopyHistory(last, values);
            CopyLag(series, last, _layout.DailyLagSteps, daily);
            CopyLag(series, last, _layout.WeeklyLagSteps, weekly);
            if (float.IsNaN(state.Anchor))
                state.Anchor = FirstObserved(values, state.Scaler);
            for (int t = 0; t < steps; t++)
                _layout.Fill(inputs.AsSpan((b * steps + t) * features, features), from + t, values[t], daily[t], weekly[t], state.Scaler, ref state.Anchor);
            Series?[] covariates = CovariatesOf(series, state);
            for (int c = 0; c < _layout.CovariateCount; c++)
            {
                covariate.AsSpan().Fill(float.NaN);
                RobustScaler covariateScaler = default;
                if (covariates[c] is { } other)
                {
                    SeriesState otherState = StateOf(other);
                    ScalerFor(other, otherState);
                    covariateScaler = otherState.Scaler;
                    other.CopyHistory(last, covariate);
                }
                for (int t = 0; t < steps; t++)
                {
                    float raw = covariate[t];
                    _layout.FillCovariate(inputs.AsSpan((b * steps + t) * features, features), c, float.IsNaN(raw) ? float.NaN : covariateScaler.Scale(raw));
                }
            }
            state.StateStep = last;
            usable[b] = !float.IsNaN(values[^1]);
        }

        int heads = model.HeadSteps.Count, quantiles = model.QuantileCount;
        var outputs = new float[plans.Count * heads * quantiles];
        using (var scope = torch.NewDisposeScope())
        {
            Tensor x = torch.tensor(inputs, [plans.Count, steps, features]);
            _streaming.Run(model.Network, x, slots, fresh).data<float>().CopyTo(outputs);
        }

        for (int b = 0; b < plans.Count; b++)
        {
            // A forecast needs the newest step itself; a gap only moves the state on.
            if (!usable[b])
                continue;
            var (series, state, _, last, _) = plans[b];
            int offset = b * heads * quantiles;
            float Quantile(int head, int q) => state.Scaler.Unscale(state.Anchor + outputs[offset + head * quantiles + q]);
            // The interval's edges, stretched from the median as calibrated on the validation part.
            float Edge(int head, int q, float scale)
            {
                float median = outputs[offset + head * quantiles + model.MedianIndex];
                return state.Scaler.Unscale(state.Anchor + median + scale * (outputs[offset + head * quantiles + q] - median));
            }
            state.PendingStep = last + 1;
            state.PendingOneStep = Quantile(0, model.MedianIndex);
            SeriesGauges seriesGauges = GaugesFor(series, state, LstmModelName, withInterval: true);
            state.Forecast ??= new float[Settings.Horizons.Count * 3];
            state.ForecastStep = last;
            state.ForecastModel = LstmModelName;
            for (int h = 0; h < Settings.Horizons.Count; h++)
            {
                IReadOnlyList<float> scales = model.Description.IntervalScales;
                float lower = Edge(h + 1, 0, scales[(h + 1) * 2]), median = Quantile(h + 1, model.MedianIndex);
                float upper = Edge(h + 1, quantiles - 1, scales[(h + 1) * 2 + 1]);
                state.Forecast[h * 3] = lower;
                state.Forecast[h * 3 + 1] = median;
                state.Forecast[h * 3 + 2] = upper;
                seriesGauges.Predicted[h].Set(median);
                seriesGauges.Lower[h].Set(lower);
                seriesGauges.Upper[h].Set(upper);
            }
            seriesGauges.Anomaly.Set(state.LastScore);
        }
    }

    private void ForecastWithFallback(Series series, SeriesState state, long step, Fallback fallback)
    {
        if (!fallback.TryForecast(series, step))
            return;
        var outputs = fallback.Outputs;
        state.PendingStep = step + 1;
        state.PendingOneStep = outputs[0];
        SeriesGauges seriesGauges = GaugesFor(series, state, fallback.Forecaster.Name, withInterval: false);
        state.Forecast ??= new float[Settings.Horizons.Count * 3];
        state.ForecastStep = step;
        state.ForecastModel = fallback.Forecaster.Name;
        for (int h = 0; h < Settings.Horizons.Count; h++)
        {
            state.Forecast[h * 3] = float.NaN;
            state.Forecast[h * 3 + 1] = outputs[h + 1];
            state.Forecast[h * 3 + 2] = float.NaN;
            seriesGauges.Predicted[h].Set(outputs[h + 1]);
        }
        seriesGauges.Anomaly.Set(state.LastScore);
    }

    /// <summary>The series' gauges labelled with <paramref name="model"/>; those of another model go, so Prometheus marks them stale.</summary>
    private SeriesGauges GaugesFor(Series series, SeriesState state, string model, bool withInterval)
    {
        if (state.Gauges?.Model == model)
            return state.Gauges;
        if (state.Gauges is null)
            ExposedCount++;
        state.Gauges?.Remove();
        state.Gauges = gauges.Create(series.Labels, Settings, model, withInterval);
        return state.Gauges;
    }

    /// <summary>The covariates of <paramref name="series"/>, resolved again whenever the target gained series.</summary>
    private Series?[] CovariatesOf(Series series, SeriesState state)
    {
        if (_layout.CovariateCount == 0)
            return [];
        int count = Store.Count;
        if (state.CovariatesResolvedAt != count)
        {
            if (_covariateIndex is null || _covariateIndexAt != count)
            {
                _covariateIndex = new CovariateIndex(Settings.Model.Features.Covariates, Store.Snapshot());
                _covariateIndexAt = count;
            }
            state.Covariates = _covariateIndex.Resolve(series);
            state.CovariatesResolvedAt = count;
        }
        return state.Covariates;
    }

    private static void CopyLag(Series series, long last, int lagSteps, float[] destination)
    {
        if (lagSteps == 0)
            return;
        series.CopyHistory(last - lagSteps, destination);
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

    private void ScalerFor(Series series, SeriesState state)
    {
        if (state.ScalerGeneration == _generation)
            return;
        state.ScalerGeneration = _generation;
        if (_model!.Description.Scalers.TryGetValue(state.Key, out RobustScaler scaler))
        {
            state.Scaler = scaler;
            return;
        }
        // A series born after the last training run gets forecasts at once, scaled by its own history.
        int length = Math.Max(Settings.Model.Window, Math.Min(series.ClosedStepCount, Settings.Model.FitWindowSteps));
        var history = new float[length];
        series.CopyHistory(series.LastClosedStep, history);
        state.Scaler = RobustScaler.Fit(history);
    }

    /// <summary>
    /// What the pipeline last said about <paramref name="series"/>: the forecast made at the newest processed
    /// step, and the one-step prediction for the step after it. Only from the inference loop's thread.
    /// </summary>
    public SeriesForecast? Latest(Series series)
    {
        SeriesState? state = series.Id < _states.Count ? _states[series.Id] : null;
        if (state is null)
            return null;
        return new SeriesForecast(
            state.ForecastModel,
            state.ForecastStep,
            state.ForecastStep == state.ProcessedStep && state.Forecast is not null ? [.. state.Forecast] : null,
            state.PendingStep == state.ProcessedStep + 1 ? state.PendingOneStep : float.NaN,
            state.LastScore);
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
        return _states[series.Id] ??= new SeriesState(series.Labels.ToString());
    }

    public void Dispose()
    {
        _streaming?.Dispose();
        _model?.Dispose();
        Interlocked.Exchange(ref _published, null)?.Dispose();
        logger.LogDebug("Pipeline for target {Target} disposed", Settings.Name);
    }

    private readonly record struct StepPlan(Series Series, SeriesState State, long From, long Last, bool Fresh)
    {
        public int Steps => (int)(Last - From + 1);
    }
}
