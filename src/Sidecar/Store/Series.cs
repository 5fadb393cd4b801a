using Sidecar.Host;

namespace Sidecar.Store;

/// <summary>
/// One selected series of one target: its labels and its fixed-step history. Writers (ingest) and
/// readers (training, inference) take the series lock; both hold it only for a copy.
/// </summary>
internal sealed class Series
{
    // A struct in the series, not an object beside it: storing a sample reads and writes it, and as an object
    // it was one more cache line and one more dependent load per sample. Not readonly: its methods change it in place.
    private StepRing _ring;

    // Guards _ring and the fields written with it (see Hold). A SpinLock, a struct inside the series, rather
    // than a lock object beside it: a sample's store writes the lock, so a lock object was one more cache line
    // per series that ingest threads on different cores took from each other. Not a Monitor lock on the
    // ring either: profiled with every received series selected, that spent a third of the receiver's CPU
    // in Monitor.Enter's slow path. Every hold is short (a sample, a copy), which is what a spin lock is for;
    // a waiter spins, then yields. Not re-entrant, unlike Lock: nothing done under it calls back into the series.
    private SpinLock _gate = new(enableThreadOwnerTracking: false);
    private CounterRateWindow _rate;

    // The target's step, kept here: TargetSettings.StepMs converts a TimeSpan at every call, and a reload
    // that keeps this series keeps its step (TargetStore.Reconfigure).
    private readonly long _stepMs;

    public Series(int id, LabelSet labels, TargetStore owner, bool isCounter)
    {
        Id = id;
        Labels = labels;
        Owner = owner;
        IsCounter = isCounter;
        _stepMs = owner.Settings.StepMs;
        _ring = new StepRing(owner.Settings.HistorySteps, mean: owner.Settings.Aggregation == StepAggregation.Mean);
    }

    /// <summary>Takes the series lock until the returned scope is disposed: <c>using (Hold()) { ... }</c>.</summary>
    private Held Hold()
    {
        bool taken = false;
        _gate.Enter(ref taken);
        return new Held(ref _gate);
    }

    private readonly ref struct Held(ref SpinLock gate)
    {
        private readonly ref SpinLock _gate = ref gate;

        // Released without a memory barrier: the lock word is volatile, so the plain store that frees it is a
        // release and everything written under the lock is visible to the next holder. Exit() frees it with a
        // locked decrement instead, a full fence on x86 that waits for every pending store; a perf profile put
        // most of the series lock's cost in the inference step on it (issue 19). What Exit(false) gives up is
        // only the waiters' count that the lock's spinning heuristic keeps, which .NET's SpinLock tolerates.
        public void Dispose() => _gate.Exit(useMemoryBarrier: false);
    }

    /// <summary>A counter is stored, and modelled, as its per-second rate per step.</summary>
    public bool IsCounter { get; }

    // A counter's newest stored step is a finished rate window; a gauge's newest step may still change.
    private long NewestClosed => IsCounter ? _ring.NewestStep : _ring.NewestStep - 1;

    public TargetStore Owner { get; }

    /// <summary>Dense per-target index, so model state can live in arrays.</summary>
    public int Id { get; }

    public LabelSet Labels { get; }

    public TargetSettings Target => Owner.Settings;

    /// <summary>Wall-clock time of the last sample, in Unix milliseconds; drives timeout-based staleness.</summary>
    public long LastReceivedAtMs { get; private set; }

    /// <summary>A stale marker arrived and no sample since.</summary>
    public bool Ended { get; private set; }

    /// <summary>Silent past its target's retention and dropped from the store; its id may belong to a newer series.</summary>
    public bool Forgotten { get; private set; }

    /// <summary>Called by the store that forgets it, under the store's lock.</summary>
    public void MarkForgotten() => Forgotten = true;

    /// <summary>
    /// Whether any value this series stored, since it was created or restored, was below zero. One that never
    /// was (load, rates, bytes, percentages) is never forecast below zero.
    /// </summary>
    public bool HasBeenNegative { get; private set; }

    /// <summary>
    /// Starts loading the series (<see cref="CacheHint"/>), its ring included, ahead of <see cref="Append"/>,
    /// so that a batch of series can wait for memory together. The object is 264 bytes (measured on x64 with
    /// <c>GC.GetAllocatedBytesForCurrentThread</c>): five lines cover it wherever in a line it starts.
    /// Static, and a no-op for null: as an instance method, a call on an unchecked reference made the JIT
    /// read the object to null-check it, the very miss a prefetch is there to hide (issue 19).
    /// </summary>
    public static void Prefetch(Series? series) => CacheHint.Prefetch(series, lines: 5);

    /// <summary>Records a sample. Returns true when it closed at least one step.</summary>
    public bool Append(long timestampMs, double value, long receivedAtMs)
    {
        long stepMs = _stepMs;
        using (Hold())
        {
            LastReceivedAtMs = receivedAtMs;
            Ended = false;
            if (value < 0 && !IsCounter)
                HasBeenNegative = true;
            if (IsCounter)
            {
                // A window with fewer than two samples has no rate: it is stored as a gap.
                return _rate.Add(timestampMs, value, stepMs, out long window, out double rate)
                    && (_ring.Write(window, (window + 1) * stepMs, (float)rate) || _ring.NewestStep == window);
            }
            long step = Math.DivRem(timestampMs, stepMs, out long remainder);
            if (remainder < 0)
                step--;
            return _ring.Write(step, timestampMs, (float)value);
        }
    }

    /// <summary>
    /// Ends a batch of this series' samples: the block late samples changed (a backfill's) is encoded
    /// again now, once, rather than once per sample.
    /// </summary>
    public void EndBatch()
    {
        // Most batches write no late sample, and this runs for every series of every request: it reads the
        // flag without the lock first. A stale "none" can only come from another writer's batch in flight,
        // and that writer's own EndBatch encodes it.
        if (!_ring.HasLateWrites)
            return;
        using (Hold())
            _ring.EncodeLateWrites();
    }

    public void End(long receivedAtMs)
    {
        using (Hold())
        {
            LastReceivedAtMs = receivedAtMs;
            Ended = true;
        }
    }

    /// <summary>The newest step that can no longer change: every step before the one being filled.</summary>
    public long LastClosedStep
    {
        get
        {
            using (Hold())
                return _ring.IsEmpty ? long.MinValue : NewestClosed;
        }
    }

    /// <summary>
    /// The newest closed step at wall-clock time <paramref name="nowMs"/>: the step being filled also counts
    /// as closed once a whole further step has passed without data, so a series that stopped (or history
    /// from a backfill) still gets its last step forecast.
    /// </summary>
    public long LastClosedStepAt(long nowMs)
    {
        using (Hold())
            return _ring.IsEmpty ? long.MinValue : ClosedAt(nowMs);
    }

    /// <summary>
    /// What an inference step reads of a series, under one lock: the newest closed step at wall-clock time
    /// <paramref name="nowMs"/> (<see cref="LastClosedStepAt"/>), its value, and the values
    /// <paramref name="dayLag"/> and <paramref name="weekLag"/> steps before it (NaN for a lag of 0), each
    /// through the caller's cursor. The step took the lock once for each of these and again to read the
    /// same values for the network's inputs: six times a series a step where once will do.
    /// </summary>
    public StepReads ReadClosedStep(long nowMs, int dayLag, int weekLag, ref HistoryCursor newest, ref HistoryCursor dayAgo, ref HistoryCursor weekAgo)
    {
        using (Hold())
        {
            if (_ring.IsEmpty)
                return new StepReads(long.MinValue, float.NaN, float.NaN, float.NaN);
            long step = ClosedAt(nowMs);
            return new StepReads(step, _ring.At(step, ref newest),
                dayLag > 0 ? _ring.At(step - dayLag, ref dayAgo) : float.NaN,
                weekLag > 0 ? _ring.At(step - weekLag, ref weekAgo) : float.NaN);
        }
    }

    // The step being filled also counts as closed once a whole further step has passed (LastClosedStepAt). Under the lock, on a ring that isn't empty.
    private long ClosedAt(long nowMs) =>
        IsCounter || (_ring.NewestStep + 2) * _stepMs <= nowMs ? _ring.NewestStep : _ring.NewestStep - 1;

    /// <summary>How many closed steps of history exist, gaps included, up to the ring's capacity.</summary>
    public int ClosedStepCount
    {
        get
        {
            using (Hold())
            {
                if (_ring.IsEmpty)
                    return 0;
                return (int)Math.Min(NewestClosed - _ring.FirstStep + 1, _ring.Capacity);
            }
        }
    }

    /// <summary>The stored value of one step (NaN for a gap); for tests and diagnostics.</summary>
    public float CopyHistoryAt(long step)
    {
        using (Hold())
            return _ring.At(step);
    }

    /// <summary><see cref="CopyHistoryAt(long)"/> for a caller that follows one position step by step (<see cref="HistoryCursor"/>).</summary>
    public float CopyHistoryAt(long step, ref HistoryCursor cursor)
    {
        using (Hold())
            return _ring.At(step, ref cursor);
    }

    /// <summary>Copies the closed history ending at <paramref name="lastStep"/>, oldest first, NaN for gaps.</summary>
    public void CopyHistory(long lastStep, Span<float> destination)
    {
        using (Hold())
            _ring.Copy(lastStep, destination);
    }

    /// <summary><see cref="CopyHistory(long, Span{float})"/> for a caller that follows one position step by step (<see cref="HistoryCursor"/>).</summary>
    public void CopyHistory(long lastStep, Span<float> destination, ref HistoryCursor cursor)
    {
        using (Hold())
            _ring.Copy(lastStep, destination, ref cursor);
    }

    /// <summary>
    /// For a caller that moves a window of <paramref name="steps"/> steps ending at
    /// <paramref name="lastStep"/> a few steps at a time (the fallback's sliding fit), under one lock: the
    /// steps that begin the window and those before them (<paramref name="leaving"/>, its last element the
    /// window's oldest step) and the steps that end it (<paramref name="entering"/>, its last element
    /// <paramref name="lastStep"/>), each read through its cursor; with what tells whether values read
    /// earlier still hold (<see cref="WindowRead"/>).
    /// </summary>
    public WindowRead ReadWindowEdges(long lastStep, int steps, Span<float> leaving, Span<float> entering,
        ref HistoryCursor oldest, ref HistoryCursor newest)
    {
        using (Hold())
        {
            _ring.Copy(lastStep - steps + 1, leaving, ref oldest);
            _ring.Copy(lastStep, entering, ref newest);
            return new WindowRead(entering[^1], leaving[^1], _ring.Version, NewestOpen(lastStep), _ring.HasLateWrites);
        }
    }

    /// <summary><see cref="CopyHistory(long, Span{float})"/> of a whole window, with what <see cref="ReadWindowEdges"/> tells of it.</summary>
    public WindowRead CopyWindow(long lastStep, Span<float> destination)
    {
        using (Hold())
        {
            _ring.Copy(lastStep, destination);
            return new WindowRead(destination[^1], destination[0], _ring.Version, NewestOpen(lastStep), _ring.HasLateWrites);
        }
    }

    // Whether the value at lastStep may still change: a gauge's step being filled counts as closed once a step
    // has passed without data (ClosedAt), and a later sample of it replaces its value. A counter's newest step
    // holds its finished window's rate, written once.
    private bool NewestOpen(long lastStep) => !IsCounter && lastStep >= _ring.NewestStep;

    /// <summary>A consistent copy of everything a snapshot keeps of this series.</summary>
    public SeriesSnapshot Capture()
    {
        using (Hold())
        {
            if (_ring.IsEmpty)
                return new SeriesSnapshot(Labels, long.MinValue, long.MinValue, 0, [], LastReceivedAtMs, Ended);
            int length = (int)Math.Min(_ring.NewestStep - _ring.FirstStep + 1, _ring.Capacity);
            var values = new float[length];
            _ring.Copy(_ring.NewestStep, values);
            return new SeriesSnapshot(Labels, _ring.FirstStep, _ring.NewestStep, _ring.NewestTimestampMs, values, LastReceivedAtMs, Ended);
        }
    }

    /// <summary>Puts a snapshot's history back; only for a series that has seen no sample yet.</summary>
    public void Restore(SeriesSnapshot snapshot)
    {
        using (Hold())
        {
            if (snapshot.NewestStep != long.MinValue)
                _ring.Restore(snapshot.FirstStep, snapshot.NewestStep, snapshot.NewestTimestampMs, snapshot.Values);
            foreach (float value in snapshot.Values)
            {
                if (value < 0)
                {
                    HasBeenNegative = true;
                    break;
                }
            }
            LastReceivedAtMs = snapshot.LastReceivedAtMs;
            Ended = snapshot.Ended;
        }
    }

}
