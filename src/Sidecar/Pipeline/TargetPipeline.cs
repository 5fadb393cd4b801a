using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Sidecar.Expose;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Score;
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

    private SeriesStateTable States => _states ??= new SeriesStateTable(Drop);
    private SeriesStateTable? _states; // made on first use: it takes the pipeline's Drop
    private readonly List<Series> _work = [];
    private readonly List<int> _workIds = [];
    private readonly List<StepPlan> _plans = [];
    private readonly StepBuffers _buffers = new();
    private readonly SeriesPublisher _publisher = new(gauges, store.Settings);
    private NetworkForecasts? _forecasts; // made on first use: it takes fields initialised after this one
    // Made on first use: it takes the pipeline's own lookups of a series' state and model.
    private NetworkInputs Inputs => _inputs ??= new NetworkInputs(Settings, _layout, _buffers, Store, States.StateOf, _models.For);
    private NetworkInputs? _inputs;
    private readonly FeatureLayout _layout = new(store.Settings.Model.Features, store.Settings.StepMs);
    private readonly ModelSlots _models = new();
    private SavedStates? _seededStates;
    private SavedScores? _seededScores;

    // Held by each Process call and by ExportStates, so a snapshot never sees a step half-applied.
    private readonly Lock _gate = new();
    private long _nextExpiryCheckMs;
    // Quality is followed on the first series of a target: enough to alert on, bounded in memory.
    private const int QualitySampleSeries = 256;
    private readonly ForecastQuality _quality = new([.. store.Settings.Horizons.Select(h => h.Steps)], QualitySampleSeries);
    private readonly Fallback? _fallback = store.Settings.Model.Fallback is { } name ? new Fallback(name, store.Settings) : null;
    private readonly NoveltyHistory _novelty = new(store.Settings);
    private readonly DecodeLookahead _decodes = new();
    private readonly TargetMetrics _targetMetrics = new(metrics, store.Settings);
    // Every series' novelty scorer, four scored at once; null with novelty off.
    private readonly NoveltyTable? _noveltyTable = store.Settings.Anomaly.Novelty is { } novelty ? new NoveltyTable(novelty) : null;
    private readonly ResidualScoring _scoring = new(store.Settings);
    private readonly int _horizonCount = store.Settings.Horizons.Count;
    // Each series' interval by id, from its first LSTM forecast on (NetworkForecasts).
    private readonly AdaptiveIntervals _intervals = AdaptiveIntervals.ForTarget(store.Settings);
    private ScoringStateTransfer ScoringTransfer => _scoringTransfer ??= new ScoringStateTransfer(Settings, States, _intervals, _noveltyTable, Combinations);
    private ScoringStateTransfer? _scoringTransfer;

    // The lags of the day-ago and week-ago values each step reads (ReadClosedStep), for the network's
    // seasonal inputs and novelty's day-over-day and week-over-week views. The network has those inputs
    // only when a day (a week) is a whole number of steps, and novelty's day (week) is then the same number
    // of steps, so one read serves both.
    private int DayLag => _layout.DailyLagSteps > 0 ? _layout.DailyLagSteps : Settings.Anomaly.Novelty?.DaySteps ?? 0;

    private int WeekLag => _layout.WeeklyLagSteps > 0 ? _layout.WeeklyLagSteps : Settings.Anomaly.Novelty?.WeekSteps ?? 0;

    public TargetStore Store { get; } = store;

    /// <summary>
    /// The settings this pipeline was built for. Captured, not read through the store: a reload that
    /// keeps the store hands it new settings, and a pipeline never runs under settings it wasn't built for.
    /// </summary>
    public TargetSettings Settings { get; } = store.Settings;

    public int ExposedCount => _publisher.ExposedCount;

    /// <summary>Bytes of the target model's carried LSTM states, with the batch buffers they pass through; 0 without a model.</summary>
    public long StreamingStateBytes
    {
        get
        {
            lock (_gate)
                return _models.Target?.States.Bytes ?? 0;
        }
    }

    public TrainingStatus Training { get; } = new();

    /// <summary>The Holt-Winters fits <c>model.combine: holt_winters</c> needs, run by the training thread.</summary>
    public HoltWintersRefits Refits => _refits ??= new HoltWintersRefits(this);

    private HoltWintersRefits? _refits;

    /// <summary>Between the training thread's Holt-Winters fits and this pipeline's combinations (<c>model.combine</c>).</summary>
    public CombinationFeed Combinations { get; } = new([.. store.Settings.Horizons.Select(h => h.Steps)],
        store.Settings.Model.Combine == ModelCombination.HoltWinters ? (int)(86_400_000 / store.Settings.StepMs) : 0);

    /// <summary>Raised on the inference thread when a series' score crosses 1, either way; handlers must not block.</summary>
    public event Action<AnomalyTransition>? AnomalyChanged;

    /// <summary>
    /// Hands a freshly trained model to the inference loop, which swaps it in at its next step: for the
    /// whole target, or for one series (<paramref name="seriesKey"/>) with <c>model.scope: series</c>.
    /// </summary>
    public void Publish(TrainedModel model, string? seriesKey = null) => _models.Publish(model, seriesKey);

    /// <summary>
    /// Processes every series that closed a step since the last call, then expires silent ones. Does
    /// nothing once the pipeline was retired by a reload.
    /// </summary>
    public void Process()
    {
        lock (_gate)
        {
            if (_models.Retired)
                return;
            ProcessLocked();
            // Set under the gate, so a reload that retires this pipeline can't race a late update back in.
            _targetMetrics.SetSeries(Store.Count, ExposedCount);
        }
    }

    /// <summary>
    /// Takes this pipeline out of service after a reload replaced or removed its target: its series'
    /// gauges and per-target metrics leave /metrics (Prometheus marks them stale), models are released,
    /// and later <see cref="Process"/> calls do nothing. A replacement pipeline publishes its own.
    /// </summary>
    public void Retire()
    {
        lock (_gate)
        {
            _models.Retire();
            Combinations.Close();
            for (int id = 0; id < States.Count; id++)
            {
                if (States[id] is { } state)
                    Hide(state);
            }
            _targetMetrics.Remove();
        }
        Dispose();
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

    /// <summary>
    /// Hands the pipeline the scoring state saved before a restart, or its predecessor's after a reload;
    /// the next <see cref="Process"/> puts it back onto the store's series, before any of them is scored.
    /// </summary>
    public void SeedScores(SavedScores scores)
    {
        lock (_gate)
            _seededScores = scores;
    }

    /// <summary>The scoring state of every series scored so far, for the snapshot: copies, so scoring goes on meanwhile.</summary>
    public SavedScores ExportScores()
    {
        lock (_gate)
            return ScoringTransfer.Export();
    }

    /// <summary>The streaming state of every warm series, for the snapshot; null without a model.</summary>
    public SavedStates? ExportStates()
    {
        lock (_gate)
        {
            // Per-series models (small targets) warm up again after a restart; only a target-wide model's states are kept.
            return _models.Target is { } slot ? StreamingStateTransfer.Export(slot, States) : null;
        }
    }

    private void ProcessLocked()
    {
        // One time for the whole pass: what the step finds of a series at it is what the sweep would.
        long now = time.GetUtcNow().ToUnixTimeMilliseconds();
        States.BeginPass();
        if (_seededScores is { } scores)
        {
            _seededScores = null;
            ScoringTransfer.Restore(scores, Store.Snapshot());
        }
        while (_models.TryTakePublished(out var published))
            SwapIn(published.Model, published.SeriesKey);
        Combinations.AdoptPublished(States.StateOf);
        while (Store.TryDequeueForgotten(out Series gone))
        {
            if (States.StateIfCurrent(gone) is { } state)
                Drop(state);
        }

        _work.Clear();
        _workIds.Clear();
        // In id order, which is roughly their order in memory: a step that walks series so reads ahead well
        // (in arrival order, which remote-write shards change at every request, it measured 10 % slower).
        // Taken, their notices are cleared: if the step fails part way, those it never reached are notified again
        // by their next sample, or by the next pass's sweep, which finds them behind (SweepByTime).
        long taking = Stopwatch.GetTimestamp();
        Store.TakeClosed(_work, _workIds);
        PartTimes.AddTake(taking, Stopwatch.GetTimestamp());
        if (_work.Count > 0)
            Step(_work, _workIds, now);
        SweepByTime(now);
    }

    private void SwapIn(TrainedModel published, string? seriesKey)
    {
        // A per-series model trained while its series was being forgotten has nobody to serve.
        if (seriesKey is not null && !Array.Exists(Store.Snapshot(), s => s.Labels.ToString() == seriesKey))
        {
            published.Dispose();
            return;
        }
        ModelSlot slot = _models.SwapIn(published, seriesKey);
        // Every affected state belongs to the old network: warm those series up again and forecast them
        // now, not only when their next step closes.
        var seeded = seriesKey is null && _seededStates is { } saved && saved.BelongsTo(published) ? saved.Series.ToDictionary(s => s.Key) : null;
        if (seriesKey is null)
            _seededStates = null;
        foreach (Series series in Store.Snapshot())
        {
            SeriesState state = States.StateOf(series);
            if (_models.For(state) != slot)
                continue;
            state.StateStep = long.MinValue;
            state.ProcessedStep = long.MinValue;
            // The state carried before the restart: the series continues from its state step.
            if (seeded is not null && seeded.TryGetValue(state.Key, out var restored))
                StreamingStateTransfer.Restore(state, slot, restored, Settings.Horizons.Count);
            Store.NotifyClosed(series);
        }
    }

    /// <summary>Series whose novelty and publishing a step leaves to a pass of their own (<see cref="FinishStepped"/>).</summary>
    /// <remarks>
    /// The more the better, it measured: at batch 1,024 the planning took 190, 177 and 162 ns a series in
    /// chunks of 64, 256 and 1,024 (bench inference, a build timing it, three runs each); a chunk's
    /// states should still be in cache for the pass, which 4,096 of them are (a few hundred kilobytes).
    /// Settable for tests, which pass a few series at a time.
    /// </remarks>
    internal int SeriesPerPass
    {
        get => _stepped.Length;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _stepped = new SteppedSeries[value];
        }
    }

    private SteppedSeries[] _stepped = new SteppedSeries[4096];

    private void Step(List<Series> closed, List<int> ids, long now)
    {
        long planning = Stopwatch.GetTimestamp();
        long timeoutMs = TimeoutMs;
        int window = Settings.Model.Window;
        int dayLag = DayLag, weekLag = WeekLag;
        List<StepPlan> plans = _plans;
        SeriesStateTable states = States;
        plans.Clear();
        int stepped = 0;
        for (int i = 0; i < closed.Count; i++)
        {
            Series series = closed[i];
            // The series' fields are the step's first miss on it (a perf profile put a fifth of the planning
            // loop's time on that one load); asked for a few series ahead, they arrive in time.
            // Prefetching each series' state as well, a second stage behind, measured no better.
            if (i + 4 < closed.Count)
            {
                Series.Prefetch(closed[i + 4]);
                _decodes.Prefetch(ids[i + 4]);
            }
            if (series.Forgotten)
                continue;
            SeriesState state = states.StateOf(series);
            if (series.Ended)
            {
                Hide(state);
                continue;
            }
            // Everything this step reads of the series in steady state, under one lock; Run takes the network's inputs from it.
            StepReads reads = series.ReadClosedStep(now, dayLag, weekLag, ref state.NewestRead, ref state.DayAgoRead, ref state.WeekAgoRead);
            _decodes.Note(series.Id, in state.DayAgoRead, in state.WeekAgoRead);
            long step = reads.Step;
            // Processed up to the step closed at `now` from here on, and if it has heard from the series
            // since the timeout, the sweep at `now` would find nothing to do: told so while the series is in cache.
            if (now - series.LastReceivedAtMs <= timeoutMs)
                states.NoteCurrent(series.Id);
            if (step <= state.ProcessedStep)
                continue;
            state.ProcessedStep = step;
            float actual = reads.Value;
            state.LastResidual = double.NaN;
            _quality.Observe(series.Id, step, actual);
            _intervals.Stage(series.Id, step, actual); // judged with the others after this loop
            bool scored = false;
            if (state.PendingStep == step && !float.IsNaN(actual))
            {
                state.LastResidual = actual - state.PendingOneStep;
                // The score waits for a trained model: a fallback's residuals are shown, not scored. Scored
                // four at once in the pass after this loop (ResidualScoring).
                scored = state.PendingFromModel;
            }
            // A forecast for a later step (one restored with the scoring state, when this step is processed again) still waits.
            if (state.PendingStep <= step)
                state.PendingStep = long.MinValue;
            // Novelty, and what is published without the network, in a pass of their own (FinishStepped).
            if (stepped == _stepped.Length)
            {
                FinishStepped(_stepped);
                stepped = 0;
            }
            ref SteppedSeries next = ref _stepped[stepped++];
            next = new SteppedSeries(series, state, reads, scored);
            ModelSlot? slot = _models.For(state);
            if (slot is null)
            {
                next.Publication = SteppedPublication.Fallback;
                continue;
            }
            state.FallbackLine = null; // a model serves now
            if (state.ScalerGeneration != slot.Generation)
                state.StateStep = long.MinValue; // a state (or a series) the current model hasn't seen
            if (state.StateStep >= step)
            {
                // A state restored at this very step: nothing new to feed. Its saved forecast serves until the next step.
                if (state.Gauges is null && state.ForecastStep == step && state.Forecast is not null)
                    next.Publication = SteppedPublication.RestoredForecast;
                continue;
            }
            if (state.StateStep != long.MinValue && step - state.StateStep <= window)
            {
                plans.Add(new StepPlan(series, state, slot, state.StateStep + 1, step, Fresh: false, reads, series.Id, ForecastDomain.FloorOf(series)));
            }
            else if (series.ClosedStepCount >= window)
            {
                // Too far behind to catch up step by step, or never warmed: restart from the last window.
                state.Levels = InputLevels.Unknown;
                plans.Add(new StepPlan(series, state, slot, step - window + 1, step, Fresh: true, reads, series.Id, ForecastDomain.FloorOf(series)));
            }
        }
        FinishStepped(_stepped.AsSpan(0, stepped));
        _intervals.ObserveStaged();
        _stepped.AsSpan(0, Math.Min(closed.Count, _stepped.Length)).Clear(); // holds no series past the step; the rest was never written
        PartTimes.AddPlanning(planning, Stopwatch.GetTimestamp(), closed.Count);
        logger.LogDebug("Target {Target}: {Closed} series closed a step, {Planned} go to inference",
            Settings.Name, closed.Count, plans.Count);
        if (plans.Count == 0)
            return;

        long started = Stopwatch.GetTimestamp();
        if (OneBatch(plans))
        {
            // The steady state: every series moved on by the same steps under the same model.
            RunInChunks(CollectionsMarshal.AsSpan(plans), plans[0].Slot, plans[0].Steps, plans[0].Fresh);
        }
        else
        {
            foreach (var group in plans.GroupBy(p => (p.Slot, p.Steps, p.Fresh)))
                RunInChunks(group.ToArray(), group.Key.Slot, group.Key.Steps, group.Key.Fresh);
        }
        _targetMetrics.ObserveInference(Stopwatch.GetElapsedTime(started));
        _targetMetrics.SetQuality(_quality);
    }

    /// <summary>
    /// What the step does for a chunk of its series after its planning loop: the combinations' judging, the
    /// scores, each one's novelty, then the forecasts published without the network (the fallback's, a
    /// restored one's), which show that novelty.
    /// </summary>
    /// <remarks>
    /// A pass of its own: inside the planning loop, novelty's long chains of dependent arithmetic (divisions,
    /// square roots) left that loop's body too long for the processor to start the next series' work while
    /// one series' chains ran, or so it behaved. Moved out, the planning cost 20 to 35 ns a series less in a
    /// build timing it (bench inference, batch 1,024, issue 19); so did the combinations' judging (145 to 137
    /// ns, 12 pairs). The loop's other parts moved out as well cost more than they saved (each pass touches
    /// the series' states again; the quality ledger's outcomes, tried last, too). By chunks (<see cref="SeriesPerPass"/>),
    /// so the chunk's states are still in cache here whatever the target's size.
    /// </remarks>
    private void FinishStepped(Span<SteppedSeries> chunk)
    {
        // The combinations judge their waiting forecasts here, not in the planning loop: the judging is a long
        // chain of dependent arithmetic, which that loop's long body kept the processor from overlapping with
        // the next series' work (issue 19). A horizon at a time over the chunk: each loop reads one horizon's
        // waiting forecasts, errors and weights (planning over the forward 0.366 -> 0.355, lower in 9 of 10 pairs).
        // A target that doesn't combine (no day of steps to fit) has no combination to judge: no loop at all.
        int judged = Combinations.DaySteps > 0 ? _horizonCount : 0;
        for (int h = 0; h < judged; h++)
        {
            foreach (ref SteppedSeries stepped in chunk)
                stepped.State.Combination?.Observe(h, stepped.Reads.Step, stepped.Reads.Value);
        }
        _scoring.Score(chunk, AnomalyChanged);
        if (_noveltyTable is { } table)
        {
            // Steady series are staged and scored four at once; the others (new, or skipped ahead) catch up alone.
            foreach (ref SteppedSeries stepped in chunk)
            {
                StepReads reads = stepped.Reads;
                int row = stepped.Id;
                if (!table.TryStage(row, reads.Step, reads.Value, reads.DayAgo, reads.WeekAgo, stepped.Surprise))
                    _novelty.CatchUp(table, row, stepped.Series, reads.Step, reads.Value, reads.DayAgo, reads.WeekAgo, stepped.Surprise);
            }
            table.ObserveStaged();
            foreach (ref SteppedSeries stepped in chunk)
                stepped.State.LastNovelty = table.Novelty(stepped.Id);
        }
        foreach (ref SteppedSeries stepped in chunk)
        {
            if (stepped.Publication == SteppedPublication.Fallback)
                _fallback?.Forecast(stepped.Series, stepped.State, stepped.Reads.Step, _publisher);
            else if (stepped.Publication == SteppedPublication.RestoredForecast)
                _publisher.PublishForecast(stepped.Series, stepped.State, LstmModelName);
        }
    }

    private static bool OneBatch(List<StepPlan> plans)
    {
        StepPlan first = plans[0];
        foreach (StepPlan plan in plans)
        {
            if (plan.Slot != first.Slot || plan.Steps != first.Steps || plan.Fresh != first.Fresh)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Series-steps one forward call takes at most. A step after a new model restarts every series from its
    /// last window at once (100,000 series × 60 steps), and libtorch's LSTM holds its input projections and
    /// outputs for the whole call: at 100k series that step peaked 0.72 GiB higher in one call than in
    /// chunks (<c>bench store-memory</c>). In chunks a step's memory is that of one chunk, whatever the
    /// target's size. In steady state (one step per series) <see cref="SeriesPerForward"/> binds first.
    /// </summary>
    internal int SeriesStepsPerForward { get; set; } = DefaultSeriesStepsPerForward;

    internal const int DefaultSeriesStepsPerForward = 16_384;

    /// <summary>Series one forward call takes at most, whatever their steps. Settable for tests.</summary>
    /// <remarks>
    /// The forward's cost a series depends on its batch: past a few thousand series its working set leaves the
    /// cache. The raw forward took 693, 501, 422, 387, 485, 1,072 and 1,152 ns a series at batches of 256 to
    /// 16,384, doubling (<c>bench inference</c>'s by-batch line, one run, AMD EPYC family 26, AVX-512F, 2026-12-07;
    /// held to AVX2: 1,095 at 1,024, 1,060 at 4,096, 1,563 at 8,192). Until then a large target's steady step
    /// ran its series 16,384 to a call, at about three times the forward's cost a series at 2,048. 2,048
    /// rather than 4,096 leaves room below the cliff for processors with smaller caches (none measured), and a
    /// call's fixed cost (about 90 µs here) is still about a tenth of it.
    /// </remarks>
    internal int SeriesPerForward
    {
        get => _seriesPerForward;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _seriesPerForward = value;
        }
    }

    private int _seriesPerForward = DefaultSeriesPerForward;

    internal const int DefaultSeriesPerForward = 2_048;

    /// <summary>Where the steps have spent their time, part by part (for <c>bench inference</c>).</summary>
    internal StepPartTimes PartTimes { get; } = new();

    /// <summary>Forward calls made so far: a step makes one per chunk.</summary>
    internal long ForwardCalls { get; private set; }

    private void RunInChunks(ReadOnlySpan<StepPlan> plans, ModelSlot slot, int steps, bool fresh)
    {
        // Grown once for the whole step: grown chunk by chunk, the doubling would overshoot the series count.
        int highestSlot = 0;
        foreach (StepPlan plan in plans)
            highestSlot = Math.Max(highestSlot, slot.StateIndex(plan.Id)); // the plan's id: the series is out of cache by now
        slot.States.EnsureSlots(highestSlot + 1);
        int chunk = Math.Clamp(SeriesStepsPerForward / steps, 1, SeriesPerForward);
        for (int start = 0; start < plans.Length; start += chunk)
            Run(plans.Slice(start, Math.Min(chunk, plans.Length - start)), slot, steps, fresh);
    }

    /// <summary>One batched forward call for series that advance by the same number of steps.</summary>
    private void Run(ReadOnlySpan<StepPlan> plans, ModelSlot slot, int steps, bool fresh)
    {
        ForwardCalls++;
        long filling = Stopwatch.GetTimestamp();
        TrainedModel model = slot.Model;
        Inputs.Fill(plans, slot, steps);

        long forwarding = Stopwatch.GetTimestamp();
        PartTimes.AddInputs(filling, forwarding);
        int heads = model.HeadSteps.Count, quantiles = model.QuantileCount;
        float[] outputs = _buffers.Outputs(plans.Length * heads * quantiles);
        using (var scope = torch.NewDisposeScope())
        {
            // Tensors over the arrays themselves (StepBuffers), not clones of them: the inputs go in without a
            // copy, and the outputs come back by one native copy, not through TensorAccessor's
            // element-by-element enumerator.
            Tensor result = slot.States.Run(model.Network, _buffers.InputsTensor(plans.Length, steps, _layout.Count), _buffers.Slots(plans.Length), fresh);
            _buffers.OutputsTensor(plans.Length, heads, quantiles).copy_(result);
        }

        long recording = Stopwatch.GetTimestamp();
        PartTimes.AddForward(forwarding, recording);
        (_forecasts ??= new NetworkForecasts(Settings, Combinations, _quality, _intervals, _publisher)).Record(plans, model, outputs, _buffers.Usable(plans.Length), _buffers.LastValues(plans.Length));
        PartTimes.AddOutputs(recording, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// What the pipeline last said about <paramref name="series"/>: the forecast made at the newest processed
    /// step, and the one-step prediction for the step after it. Safe from any thread.
    /// </summary>
    public SeriesForecast? Latest(Series series)
    {
        lock (_gate)
        {
            SeriesState? state = States.StateIfCurrent(series);
            if (state is null)
                return null;
            bool current = state.ForecastStep == state.ProcessedStep && state.Forecast is not null;
            return new SeriesForecast(
                state.ForecastModel,
                state.ForecastStep,
                current ? [.. state.Forecast!] : null,
                state.PendingStep == state.ProcessedStep + 1 ? state.PendingOneStep : float.NaN,
                state.LastScore,
                state.LastResidual,
                state.LastSurprise,
                state.LastNovelty,
                current && state.ForecastModel == LstmModelName && state.LstmMedians is not null ? [.. state.LstmMedians] : null);
        }
    }

    /// <summary>Rolling accuracy per horizon, from realised values; NaN where nothing was realised yet. Safe from any thread.</summary>
    public IReadOnlyList<HorizonQuality> Quality()
    {
        lock (_gate)
        {
            return [.. Settings.Horizons.Select((horizon, h) => new HorizonQuality(horizon.Label, _quality.Outcomes(h),
                _quality.MeanAbsoluteError(h), _quality.MeanAbsoluteScaledError(h), _quality.Coverage(h)))];
        }
    }

    // Silence after which a series' gauges go.
    private long TimeoutMs => Settings.SeriesTimeoutSteps * Settings.StepMs;

    /// <summary>Hides series that went silent, and queues those whose last step closed by time alone.</summary>
    /// <remarks>
    /// By id over the pipeline's states (a series without one has nothing to hide or catch up), skipping
    /// those the step of this pass found current (<see cref="SeriesStateTable.NoteCurrent"/>): in steady state that is every
    /// series, and the sweep reads one number per series instead of loading each series and its state, which
    /// cost it about 30 ns a series at 1,024 and 110 to 150 ns at 8,192 (bench inference, issue 19).
    /// </remarks>
    private void SweepByTime(long now)
    {
        // Silence is measured in steps, so checking more than once a step buys nothing.
        if (now < _nextExpiryCheckMs)
            return;
        _nextExpiryCheckMs = now + Settings.StepMs;
        long timeoutMs = TimeoutMs;
        SeriesStateTable states = States;
        for (int id = 0; id < states.Count; id++)
        {
            if (states.CurrentInPass(id))
                continue;
            SeriesState? state = states[id];
            if (state is null || state.Series.Forgotten)
                continue;
            Series series = state.Series;
            if (state.Gauges is not null && (series.Ended || now - series.LastReceivedAtMs > timeoutMs))
                Hide(state);
            else if (!series.Ended && series.LastClosedStepAt(now) > state.ProcessedStep)
                Store.NotifyClosed(series); // closed by time, with no newer sample to close it
        }
    }

    private void Hide(SeriesState state)
    {
        if (_publisher.Remove(state))
            state.PendingStep = long.MinValue;
    }

    /// <summary>What the step keeps of exactly this series, for tests that check what a step computed for it.</summary>
    internal SeriesState? StateForTests(Series series) => States.StateIfCurrent(series);

    /// <summary>The target's adaptive intervals, one row per series id; for tests.</summary>
    internal AdaptiveIntervals IntervalsForTests => _intervals;

    /// <summary>
    /// Frees what the pipeline holds for a forgotten series: its gauges, its place in the quality sample,
    /// and its own model with <c>model.scope: series</c>. Its streaming-state slot is overwritten when a new
    /// series takes the id, since a new series always starts from a fresh window.
    /// </summary>
    private void Drop(SeriesState state)
    {
        Hide(state);
        int id = state.Series.Id;
        States.Remove(state);
        _quality.Forget(id);
        _intervals.Remove(id);
        _noveltyTable?.Remove(id);
        _models.DropSeries(state.Key);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _models.Dispose();
            Combinations.Close();
            _buffers.Dispose();
        }
        logger.LogDebug("Pipeline for target {Target} disposed", Settings.Name);
    }
}
