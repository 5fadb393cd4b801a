namespace Sidecar.Score;

/// <summary>
/// Online forecast quality of one target, from realised values: per horizon a rolling MAE, MASE (each
/// error divided by its series' own one-step naive error, so series in different units can be averaged)
/// and interval coverage. Forecasts wait in per-series rings until their outcome arrives; to keep memory
/// bounded on big targets only a sample of series is followed (<see cref="Follows"/>).
/// Touched by the inference loop only.
/// </summary>
/// <remarks>
/// The rings are stored a tile of series at a time, slot by slot (a slot of every series of the tile, then
/// the next slot), as <see cref="WaitingForecasts{TPayload}"/> are: a step walking its series in id order
/// then reads and writes each horizon's slots as a stream the processor fetches ahead. In an array of its
/// own per series, each slot a step judged was a cache miss of its own, the most of the ledger's time in a
/// perf profile of the step (issue 19). A series' ledger starts at its first forecast, as it always did.
/// </remarks>
internal sealed class ForecastQuality(IReadOnlyList<int> horizonSteps, int sampledSeries)
{
    // Series stored together at most (TileShiftFor).
    private const int MostRowsPerTile = 64;

    // Outcomes in the rolling window: the EWMAs weigh the last ~this many outcomes per horizon.
    private const double WindowOutcomes = 2000;
    private const double Alpha = 2 / (WindowOutcomes + 1);

    // The first count whose exact mean weight, 1 / count, is at most Alpha: from it on Rolling weighs by Alpha.
    private static readonly long FadingFrom = FirstCountWeighedByAlpha();

    // A tile's rows are a power of two: a series' tile is a shift of its id, not a division.
    private readonly int _tileShift = TileShiftFor(sampledSeries);

    private int RowsPerTile => 1 << _tileShift;

    // Per tile of followed series, every horizon's ring, slot by slot; null until one of them has a forecast.
    private readonly Waiting[]?[] _tiles = new Waiting[]?[(sampledSeries + MostRowsPerTile - 1) / MostRowsPerTile];

    // Indexed by series id: only ids below sampledSeries are followed, each from its first forecast on.
    private readonly Naive[] _naive = new Naive[sampledSeries];

    // Where each horizon's ring starts in a ledger, then where they all end: each ring is a power of two at
    // least one longer than its horizon, so every forecast still waiting has a slot and a step's slot is a mask.
    private readonly int[] _ringStart = RingStarts(horizonSteps);

    // An array of its own: through the interface, every horizon of every followed series was a call.
    private readonly int[] _horizonSteps = [.. horizonSteps];
    private readonly Rolling[] _absolute = new Rolling[horizonSteps.Count];
    private readonly Rolling[] _scaled = new Rolling[horizonSteps.Count];
    private readonly Rolling[] _covered = new Rolling[horizonSteps.Count];

    // Where each horizon's slot of the step Record and Observe were last called for starts in a tile: every
    // followed series of a step shares them, so they are found once a step, not once a series and horizon
    // (with the tile's division, about a third of the ledger's time: StepScoringBenchmarks, issue 19).
    private long _recordStep = long.MinValue, _observeStep = long.MinValue;
    private readonly int[] _recordOffsets = new int[horizonSteps.Count], _observeOffsets = new int[horizonSteps.Count];

    /// <summary>Whether the series is one of those followed: the first <c>sampledSeries</c> ids of the target.</summary>
    public bool Follows(int seriesId) => seriesId < sampledSeries;

    /// <summary>NaN until the first outcome.</summary>
    public double MeanAbsoluteError(int horizon) => _absolute[horizon].Mean;

    public double MeanAbsoluteScaledError(int horizon) => _scaled[horizon].Mean;

    /// <summary>Share of outcomes inside the forecast interval; NaN without intervals.</summary>
    public double Coverage(int horizon) => _covered[horizon].Mean;

    public long Outcomes(int horizon) => _absolute[horizon].Count;

    /// <summary>Remembers the forecast made at <paramref name="step"/>: per horizon lower, median, upper (NaN edges: no interval).</summary>
    /// <remarks>Small enough to inline: most series are not followed, and for them a call is all the cost.</remarks>
    public void Record(int seriesId, long step, ReadOnlySpan<float> forecast)
    {
        if (Follows(seriesId))
            RecordFollowed(seriesId, step, forecast);
    }

    private void RecordFollowed(int seriesId, long step, ReadOnlySpan<float> forecast)
    {
        ref Naive naive = ref _naive[seriesId];
        if (!naive.Kept)
            naive = new Naive { Kept = true, Previous = float.NaN, PreviousStep = long.MinValue };
        Span<Waiting> tile = TileOf(seriesId, out int row);
        int[] offsets = _recordOffsets;
        if (step != _recordStep)
        {
            for (int h = 0; h < offsets.Length; h++)
                offsets[h] = SlotOf(h, step + _horizonSteps[h]) * RowsPerTile;
            _recordStep = step;
        }
        for (int h = 0; h < offsets.Length; h++)
            tile[offsets[h] + row] = new Waiting(step + _horizonSteps[h], forecast[h * 3], forecast[h * 3 + 1], forecast[h * 3 + 2]);
    }

    /// <summary>Drops what was remembered under a series id: the series was forgotten, and a new one may take the id.</summary>
    public void Forget(int seriesId)
    {
        if (!Follows(seriesId) || !_naive[seriesId].Kept)
            return;
        _naive[seriesId] = default;
        Span<Waiting> tile = TileOf(seriesId, out int row);
        for (int slot = 0; slot < _ringStart[^1]; slot++)
            tile[slot * RowsPerTile + row] = Waiting.None;
    }

    /// <summary>Scores every remembered forecast for <paramref name="step"/> against <paramref name="actual"/>.</summary>
    /// <remarks>Small enough to inline, as <see cref="Record"/> is.</remarks>
    public void Observe(int seriesId, long step, float actual)
    {
        // Most series are not followed: they are told apart by their id, without a lookup.
        if (Follows(seriesId) && !float.IsNaN(actual))
            ObserveFollowed(seriesId, step, actual);
    }

    private void ObserveFollowed(int seriesId, long step, float actual)
    {
        if (!_naive[seriesId].Kept)
            return;
        double naive = _naive[seriesId].Observe(step, actual);
        Span<Waiting> tile = TileOf(seriesId, out int row);
        int[] offsets = _observeOffsets;
        if (step != _observeStep)
        {
            for (int h = 0; h < offsets.Length; h++)
                offsets[h] = SlotOf(h, step) * RowsPerTile;
            _observeStep = step;
        }
        for (int h = 0; h < offsets.Length; h++)
        {
            ref Waiting waiting = ref tile[offsets[h] + row];
            if (waiting.TargetStep != step)
                continue;
            waiting.TargetStep = long.MinValue;
            float lower = waiting.Lower, median = waiting.Median, upper = waiting.Upper;
            double error = Math.Abs(actual - median);
            _absolute[h].Add(error);
            if (naive > 0)
                _scaled[h].Add(error / naive);
            if (!float.IsNaN(lower))
                _covered[h].Add(actual >= lower && actual <= upper ? 1 : 0);
        }
    }

    // Rows stored together: MostRowsPerTile, or fewer (a power of two) where fewer series are followed.
    private static int TileShiftFor(int sampledSeries) =>
        System.Numerics.BitOperations.Log2(Math.Min(MostRowsPerTile, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, sampledSeries))));

    private static long FirstCountWeighedByAlpha()
    {
        long count = (long)(1 / Alpha) - 2;
        while (1.0 / count > Alpha)
            count++;
        return count;
    }

    /// <summary>An EWMA that is NaN until its first value and an exact mean until the window fills.</summary>
    private struct Rolling
    {
        public double Value;
        public long Count;

        public readonly double Mean => Count == 0 ? double.NaN : Value;

        public void Add(double x)
        {
            Count++;
            // Past FadingFrom outcomes 1 / Count is below Alpha: the same weight, without a division for
            // every outcome of every horizon (the ledger's share of the step was mostly these, issue 19).
            Value = Count == 1 ? x : Value + (Count >= FadingFrom ? Alpha : Math.Max(Alpha, 1.0 / Count)) * (x - Value);
        }
    }

    // The tile of a followed series' rings, made (every slot waiting for nothing) at its first forecast; and its row in it.
    private Span<Waiting> TileOf(int seriesId, out int row)
    {
        row = seriesId & (RowsPerTile - 1);
        ref Waiting[]? tile = ref _tiles[seriesId >> _tileShift];
        if (tile is null)
        {
            tile = new Waiting[_ringStart[^1] * RowsPerTile];
            tile.AsSpan().Fill(Waiting.None);
        }
        return tile;
    }

    // A ring's length is a power of two, so a step's place in it is the step's low bits (a floor, for negative steps too).
    private int SlotOf(int horizon, long targetStep)
    {
        int start = _ringStart[horizon];
        return start + (int)(targetStep & (_ringStart[horizon + 1] - start - 1));
    }

    /// <summary>Each horizon's ring's first slot, then the slots of all of them together (the last entry).</summary>
    private static int[] RingStarts(IReadOnlyList<int> horizonSteps)
    {
        var starts = new int[horizonSteps.Count + 1];
        for (int h = 0; h < horizonSteps.Count; h++)
            starts[h + 1] = starts[h] + (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)horizonSteps[h] + 1);
        return starts;
    }

    /// <summary>A forecast waiting for the step it forecast; <see cref="long.MinValue"/>: none.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
    private record struct Waiting(long TargetStep, float Lower, float Median, float Upper)
    {
        public static readonly Waiting None = new(long.MinValue, float.NaN, float.NaN, float.NaN);
    }

    /// <summary>A followed series' one-step naive error, from its first forecast on (<see cref="Kept"/>).</summary>
    private struct Naive
    {
        public bool Kept;
        public float Previous;
        public long PreviousStep;
        public Rolling Error;

        /// <summary>Folds in the one-step naive error and returns the series' current naive scale.</summary>
        public double Observe(long step, float actual)
        {
            if (PreviousStep == step - 1 && !float.IsNaN(Previous))
                Error.Add(Math.Abs(actual - Previous));
            Previous = actual;
            PreviousStep = step;
            return Error.Mean;
        }
    }
}
