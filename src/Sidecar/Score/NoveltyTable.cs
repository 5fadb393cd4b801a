using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// The <see cref="NoveltyScorer"/>s of a target's series as one table, one row per series (a pipeline's rows
/// are its series' ids), four rows to a block whose numbers sit in the lanes of vector registers: a step
/// scores the series it stages (<see cref="TryStage"/>) four at once (<see cref="ObserveStaged"/>), each to
/// the same bit as its scorer alone would. A row that isn't at the step before (a new series, one the loop
/// skipped ahead) is fed through a scorer of its own and copied back (<see cref="CopyOut"/>, <see cref="CopyIn"/>):
/// the table holds the state, the scorer remains the one definition of the arithmetic and what a snapshot saves.
/// </summary>
/// <remarks>
/// Why (issue 19): one series at a time, a step's novelty took about 55 ns a series, a fifth of what the
/// step spends beside the network: eleven divisions and square roots a series, and a scorer's fields,
/// rings and onset values in five objects of its own. Four lanes share each division (in cache, 51 -> 34
/// µs a step of 1,024 series, <c>StepScoringBenchmarks</c>); in the step, where the rows come from memory
/// each time, the windows kept side by side mattered as much (about 55 -> 40 ns a series). Each row's
/// windows (its rings of the last values) stay one row at a time: where a ring stands differs from row to
/// row. Touched by the inference loop only.
/// </remarks>
internal sealed class NoveltyTable
{
    private const int LaneShift = 2;
    private const int LaneCount = 1 << LaneShift; // Vector256<double>.Count
    // 256 rows a tile: about 240 KB at the default windows, what a target of a few series holds at least
    // (AdaptiveIntervals' tiles are as big). Tiles of 64 measured no better and perhaps worse (three pairs).
    private const int TileShift = 8;
    private const int RowsPerTile = 1 << TileShift;
    private const int BlocksPerTile = RowsPerTile / LaneCount;
    // The three windows, as NoveltyScorer keeps them: the values, their day-over-day and week-over-week changes.
    private const int Windows = 3;

    private readonly NoveltySettings _settings;
    private readonly int _window;
    private readonly int _earlierLength;
    private readonly Vector256<double> _keep;
    private readonly Vector256<double> _windowLength;
    private readonly Vector256<double> _warmupSteps;
    private readonly Vector256<double> _daySteps;
    private readonly Vector256<double> _tolerance;
    private readonly Vector256<double> _correlationGate;
    private readonly bool _everySeasonCounts;
    private Tile[] _tiles = [];
    // The blocks staged for the next ObserveStaged, in the order first staged.
    private Staging[] _staging = new Staging[16];
    private int _staged;

    public NoveltyTable(NoveltySettings settings)
    {
        _settings = settings;
        _window = settings.SmoothingSteps;
        _earlierLength = settings.OnsetSteps - 1;
        _keep = Vector256.Create(settings.HalfLifeSteps > 0 ? Math.Pow(0.5, 1 / settings.HalfLifeSteps) : 1);
        _windowLength = Vector256.Create((double)_window);
        _warmupSteps = Vector256.Create((double)settings.WarmupSteps);
        _daySteps = Vector256.Create((double)settings.DaySteps);
        _tolerance = Vector256.Create(settings.Tolerance);
        _correlationGate = Vector256.Create(settings.DailyCorrelation);
        _everySeasonCounts = settings.DailyCorrelation <= -1;
    }

    public NoveltySettings Settings => _settings;

    /// <summary>Whether row <paramref name="row"/> holds a scorer's state (<see cref="CopyIn"/>, not <see cref="Remove"/>d since).</summary>
    public bool Has(int row) => row < _tiles.Length * RowsPerTile && _tiles[row >> TileShift].Present[row & (RowsPerTile - 1)];

    /// <summary>The newest step row <paramref name="row"/> was fed; <see cref="long.MinValue"/> where it has no state.</summary>
    public long LastStep(int row) => Has(row) ? _tiles[row >> TileShift].LastStep[row & (RowsPerTile - 1)] : long.MinValue;

    /// <summary>The novelty to publish for row <paramref name="row"/>'s newest step, as its last <see cref="ObserveStaged"/> or <see cref="CopyIn"/> gave it.</summary>
    public double Novelty(int row) => _tiles[row >> TileShift].Novelty[row & (RowsPerTile - 1)];

    /// <summary>Takes row <paramref name="row"/>'s state away (its series was forgotten).</summary>
    public void Remove(int row)
    {
        if (Has(row))
        {
            Tile tile = _tiles[row >> TileShift];
            tile.Present[row & (RowsPerTile - 1)] = false;
            tile.Novelty[row & (RowsPerTile - 1)] = 0;
        }
    }

    /// <summary>Makes row <paramref name="row"/> hold <paramref name="scorer"/>'s state, and <paramref name="novelty"/> the novelty to publish for its newest step.</summary>
    /// <exception cref="ArgumentException">The scorer's windows aren't the table's.</exception>
    public void CopyIn(NoveltyScorer scorer, int row, double novelty = 0)
    {
        CheckWindows(scorer);
        EnsureRows(row + 1);
        Tile tile = _tiles[row >> TileShift];
        int inTile = row & (RowsPerTile - 1), lane = inTile & (LaneCount - 1);
        CheckNotStaged(tile, row, inTile);
        ref Block block = ref tile.Blocks[inTile >> LaneShift];
        block.Value.SetLane(lane, scorer.ValueRecord);
        block.Level.SetLane(lane, scorer.LevelRecord);
        block.Change.SetLane(lane, scorer.ChangeRecord);
        block.Surprise.SetLane(lane, scorer.SurpriseRecord);
        block.WeekChange.SetLane(lane, scorer.WeekChangeRecord);
        CopyWindowIn(tile, inTile, 0, ref block.Recent, scorer.Recent);
        CopyWindowIn(tile, inTile, 1, ref block.Changes, scorer.Changes);
        CopyWindowIn(tile, inTile, 2, ref block.WeekChanges, scorer.WeekChanges);
        block.Daily.SetLane(lane, scorer.Daily);
        block.Weekly.SetLane(lane, scorer.Weekly);
        block.Seen = block.Seen.WithElement(lane, scorer.Seen);
        block.WeekSeen = block.WeekSeen.WithElement(lane, scorer.WeekSeen);
        scorer.Earlier.CopyTo(tile.Earlier.AsSpan(inTile * _earlierLength, _earlierLength));
        tile.EarlierPositions[inTile] = scorer.EarlierPosition;
        tile.LastStep[inTile] = scorer.LastStep;
        tile.Novelty[inTile] = novelty;
        tile.Present[inTile] = true;
    }

    /// <summary>Writes row <paramref name="row"/>'s state into <paramref name="scorer"/>, made with windows like the table's; returns it.</summary>
    /// <exception cref="ArgumentException">The row has no state, or the scorer's windows aren't the table's.</exception>
    public NoveltyScorer CopyOut(int row, NoveltyScorer scorer)
    {
        CheckWindows(scorer);
        if (!Has(row))
            throw new ArgumentException($"novelty row {row} holds no scorer", nameof(row));
        Tile tile = _tiles[row >> TileShift];
        int inTile = row & (RowsPerTile - 1), lane = inTile & (LaneCount - 1);
        CheckNotStaged(tile, row, inTile);
        ref Block block = ref tile.Blocks[inTile >> LaneShift];
        scorer.ValueRecord = block.Value.Lane(lane);
        scorer.LevelRecord = block.Level.Lane(lane);
        scorer.ChangeRecord = block.Change.Lane(lane);
        scorer.SurpriseRecord = block.Surprise.Lane(lane);
        scorer.WeekChangeRecord = block.WeekChange.Lane(lane);
        CopyWindowOut(tile, inTile, 0, block.Recent, ref scorer.Recent);
        CopyWindowOut(tile, inTile, 1, block.Changes, ref scorer.Changes);
        CopyWindowOut(tile, inTile, 2, block.WeekChanges, ref scorer.WeekChanges);
        scorer.Daily = block.Daily.Lane(lane);
        scorer.Weekly = block.Weekly.Lane(lane);
        scorer.Seen = Lanes.Count(block.Seen[lane]);
        scorer.WeekSeen = Lanes.Count(block.WeekSeen[lane]);
        tile.Earlier.AsSpan(inTile * _earlierLength, _earlierLength).CopyTo(scorer.Earlier);
        scorer.EarlierPosition = tile.EarlierPositions[inTile];
        scorer.LastStep = tile.LastStep[inTile];
        return scorer;
    }

    /// <summary>Row <paramref name="row"/>'s state as a scorer of its own (for a snapshot).</summary>
    public NoveltyScorer Export(int row) => CopyOut(row, new NoveltyScorer(_settings));

    /// <summary>
    /// Feeds row <paramref name="row"/> the step after its newest, to be scored with the others staged at
    /// the next <see cref="ObserveStaged"/>; the arguments are <see cref="NoveltyScorer.Observe"/>'s. Until
    /// then the row's state is half-way: it can't be staged again, copied in or out.
    /// </summary>
    /// <returns>False, and nothing done, where the row has no state or isn't at the step before <paramref name="step"/>.</returns>
    public bool TryStage(int row, long step, float value, float dayAgo, float weekAgo, double surprise)
    {
        int tileIndex = row >> TileShift, inTile = row & (RowsPerTile - 1), lane = inTile & (LaneCount - 1);
        Tile[] tiles = _tiles;
        if ((uint)tileIndex >= (uint)tiles.Length)
            return false;
        Tile tile = tiles[tileIndex];
        if (!tile.Present[inTile] || tile.LastStep[inTile] != step - 1)
            return false;
        tile.LastStep[inTile] = step;
        ref Staging staging = ref StagingOf(tile, tileIndex, inTile >> LaneShift);
        float change = Distance(value, dayAgo), weekChange = Distance(value, weekAgo);
        // The rings, lane by lane (a ring's position is the row's own); ObserveStaged moves their sums.
        Lane(ref staging.LeavingRecent, lane) = Push(tile, inTile, 0, value, ref staging, lane);
        Lane(ref staging.LeavingChange, lane) = Push(tile, inTile, 1, change, ref staging, lane);
        Lane(ref staging.LeavingWeekChange, lane) = Push(tile, inTile, 2, weekChange, ref staging, lane);
        Lane(ref staging.Stepped, lane) = Lanes.True;
        Lane(ref staging.Value, lane) = value;
        Lane(ref staging.Change, lane) = change;
        Lane(ref staging.WeekChange, lane) = weekChange;
        Lane(ref staging.DayAgo, lane) = dayAgo;
        Lane(ref staging.WeekAgo, lane) = weekAgo;
        Lane(ref staging.Surprise, lane) = surprise;
        return true;
    }

    /// <summary>Scores every row staged since the last call; each one's result is then its <see cref="Novelty"/>.</summary>
    public void ObserveStaged()
    {
        for (int s = 0; s < _staged; s++)
        {
            ref Staging staging = ref _staging[s];
            Tile tile = _tiles[staging.Tile];
            Vector256<double> novelty = Observe(ref tile.Blocks[staging.Block], ref staging, tile);
            for (int lane = 0; lane < LaneCount; lane++)
            {
                if (Lanes.IsTrue(staging.Stepped[lane]))
                {
                    int inTile = staging.Block * LaneCount + lane;
                    tile.Novelty[inTile] = Onset(tile, inTile, novelty[lane]);
                }
            }
            tile.StagedAt[staging.Block] = 0;
        }
        _staged = 0;
    }

    // NoveltyScorer.Observe for a block's staged lanes, up to Onset; the lanes not staged hold NaN inputs and stay as they were.
    private Vector256<double> Observe(ref Block block, ref Staging staging, Tile tile)
    {
        block.Recent.Take(staging.LeavingRecent, staging.Value);
        block.Changes.Take(staging.LeavingChange, staging.Change);
        block.WeekChanges.Take(staging.LeavingWeekChange, staging.WeekChange);
        if (staging.Recount != 0)
            Recount(tile, staging.Block, staging.Recount, ref block);
        Vector256<double> value = staging.Value;
        Vector256<double> observed = Vector256.Equals(value, value);
        if (Vector256.ExtractMostSignificantBits(observed) == 0)
            return Vector256<double>.Zero; // gaps only: nothing moves
        Vector256<double> level = block.Recent.Mean(_windowLength);
        Vector256<double> change = block.Changes.Mean(_windowLength);
        Vector256<double> weekChange = block.WeekChanges.Mean(_windowLength);
        Vector256<double> novelty = Vector256<double>.Zero;
        Vector256<double> warm = observed & Vector256.GreaterThanOrEqual(block.Seen, _warmupSteps);
        if (Vector256.ExtractMostSignificantBits(warm) != 0)
        {
            Vector256<double> beyond = Vector256.Max(block.Value.Exceedance(value), Vector256.Max(block.Level.Exceedance(level), block.Surprise.Exceedance(staging.Surprise)));
            beyond = Vector256.ConditionalSelect(Follows(block.Daily), Vector256.Max(beyond, block.Change.Exceedance(change)), beyond);
            Vector256<double> weekCounts = Vector256.GreaterThanOrEqual(block.WeekSeen, _daySteps) & Follows(block.Weekly);
            beyond = Vector256.ConditionalSelect(weekCounts, Vector256.Max(beyond, block.WeekChange.Exceedance(weekChange)), beyond);
            // Most steps no lane goes beyond a record: 0 without dividing, as in the scalar part.
            Vector256<double> some = warm & ~Vector256.Equals(beyond, Vector256<double>.Zero);
            if (Vector256.ExtractMostSignificantBits(some) != 0)
                novelty = some & (beyond / _tolerance);
        }
        Vector256<double> centre = Vector256.ConditionalSelect(Vector256.Equals(level, level), level, value);
        block.Value.Include(value, centre, _keep, observed);
        block.Level.Include(level, centre, _keep, observed & Vector256.Equals(level, level));
        block.Change.Include(change, Vector256<double>.Zero, _keep, observed & Vector256.Equals(change, change));
        Vector256<double> surprise = staging.Surprise;
        block.Surprise.Include(surprise, Vector256<double>.Zero, _keep, observed & Vector256.Equals(surprise, surprise));
        Vector256<double> weekIn = observed & Vector256.Equals(weekChange, weekChange);
        block.WeekChange.Include(weekChange, Vector256<double>.Zero, _keep, weekIn);
        block.WeekSeen += weekIn & Vector256<double>.One;
        Vector256<double> dayAgo = staging.DayAgo, weekAgo = staging.WeekAgo;
        block.Daily.Add(value, dayAgo, _keep, observed & Vector256.Equals(dayAgo, dayAgo));
        block.Weekly.Add(value, weekAgo, _keep, observed & Vector256.Equals(weekAgo, weekAgo));
        block.Seen += observed & Vector256<double>.One;
        return novelty;
    }

    // NoveltyScorer.Follows: whether a seasonal view counts, lane by lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<double> Follows(in CorrelationLanes correlation) =>
        _everySeasonCounts
            ? Vector256<double>.AllBitsSet
            : Vector256.GreaterThanOrEqual(correlation.Pairs, _daySteps) & Vector256.GreaterThanOrEqual(correlation.Correlation(), _correlationGate);

    // NoveltyScorer.Onset, for one row.
    private double Onset(Tile tile, int inTile, double novelty)
    {
        if (_earlierLength == 0)
            return novelty;
        Span<float> earlier = tile.Earlier.AsSpan(inTile * _earlierLength, _earlierLength);
        bool highest = novelty > 0;
        for (int i = 0; highest && i < earlier.Length; i++)
            highest = novelty > earlier[i];
        ref int position = ref tile.EarlierPositions[inTile];
        earlier[position] = (float)novelty;
        if (++position == earlier.Length)
            position = 0;
        return highest ? novelty : 0;
    }

    // WindowMean.Push's ring for one row's window; returns the value that left it. Marks the lane for a recount where the ring wraps.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private float Push(Tile tile, int inTile, int window, float value, ref Staging staging, int lane)
    {
        ref int position = ref tile.Positions[inTile * Windows + window];
        ref float slot = ref tile.Rings[(inTile * _window + position) * Windows + window];
        float leaving = slot;
        slot = value;
        if (++position == _window)
        {
            position = 0;
            staging.Recount |= 1 << (window * LaneCount + lane);
        }
        return leaving;
    }

    // WindowMean.Recount for the lanes and windows marked: the sums again from the rings, in the ring's order.
    private void Recount(Tile tile, int blockInTile, int marks, ref Block block)
    {
        for (int window = 0; window < Windows; window++)
        {
            ref WindowMeanLanes means = ref (window == 0 ? ref block.Recent : ref (window == 1 ? ref block.Changes : ref block.WeekChanges));
            for (int lane = 0; lane < LaneCount; lane++)
            {
                if ((marks & (1 << (window * LaneCount + lane))) == 0)
                    continue;
                int inTile = blockInTile * LaneCount + lane;
                double sum = 0;
                int count = 0;
                ReadOnlySpan<float> rings = tile.Rings.AsSpan(inTile * _window * Windows, _window * Windows);
                for (int i = window; i < rings.Length; i += Windows)
                {
                    float v = rings[i];
                    if (!float.IsNaN(v))
                    {
                        sum += v;
                        count++;
                    }
                }
                Lane(ref means.Sum, lane) = sum;
                Lane(ref means.Count, lane) = count;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Distance(float value, float earlier) =>
        float.IsNaN(value) || float.IsNaN(earlier) ? float.NaN : Math.Abs(value - earlier);

    private static ref double Lane(ref Vector256<double> vector, int lane) =>
        ref Unsafe.Add(ref Unsafe.As<Vector256<double>, double>(ref vector), lane);

    // The staging of a block, begun with every lane not stepped (NaN inputs) where the block has none yet.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref Staging StagingOf(Tile tile, int tileIndex, int blockInTile)
    {
        ref int at = ref tile.StagedAt[blockInTile];
        if (at == 0)
            at = Begin(tileIndex, blockInTile);
        return ref _staging[at - 1];
    }

    // Returns 1 + the new staging's place.
    private int Begin(int tileIndex, int blockInTile)
    {
        if (_staged == _staging.Length)
            Array.Resize(ref _staging, _staging.Length * 2);
        _staging[_staged] = new Staging(tileIndex, blockInTile);
        return ++_staged;
    }

    private void CopyWindowIn(Tile tile, int inTile, int window, ref WindowMeanLanes means, in WindowMean mean)
    {
        Span<float> rings = tile.Rings.AsSpan(inTile * _window * Windows, _window * Windows);
        ReadOnlySpan<float> ring = mean.Ring;
        for (int i = 0; i < ring.Length; i++)
            rings[i * Windows + window] = ring[i];
        tile.Positions[inTile * Windows + window] = mean.Position;
        int lane = inTile & (LaneCount - 1);
        Lane(ref means.Sum, lane) = mean.Sum;
        Lane(ref means.Count, lane) = mean.Count;
    }

    private void CopyWindowOut(Tile tile, int inTile, int window, in WindowMeanLanes means, ref WindowMean mean)
    {
        int lane = inTile & (LaneCount - 1);
        ReadOnlySpan<float> rings = tile.Rings.AsSpan(inTile * _window * Windows, _window * Windows);
        Span<float> ring = mean.Ring;
        for (int i = 0; i < ring.Length; i++)
            ring[i] = rings[i * Windows + window];
        mean.Set(tile.Positions[inTile * Windows + window], means.Sum[lane], Lanes.Count(means.Count[lane]));
    }

    // A staged row is half-way through a step until ObserveStaged (a caller's mistake, not the data's). The
    // other rows of its block may be copied: a lane not staged stays as it is through ObserveStaged.
    private void CheckNotStaged(Tile tile, int row, int inTile)
    {
        int at = tile.StagedAt[inTile >> LaneShift];
        if (at != 0 && Lanes.IsTrue(_staging[at - 1].Stepped[inTile & (LaneCount - 1)]))
            throw new InvalidOperationException($"novelty row {row} is staged for a step not yet observed");
    }

    private void CheckWindows(NoveltyScorer scorer)
    {
        if (!scorer.Settings.SameWindows(_settings))
            throw new ArgumentException($"a novelty scorer of {scorer.Settings.SmoothingSteps} smoothing and {scorer.Settings.OnsetSteps} onset steps in a table of {_settings.SmoothingSteps} and {_settings.OnsetSteps}", nameof(scorer));
    }

    private void EnsureRows(int rows)
    {
        int tiles = (rows + RowsPerTile - 1) / RowsPerTile, had = _tiles.Length;
        if (tiles <= had)
            return;
        Array.Resize(ref _tiles, Math.Max(tiles, had * 2));
        for (int t = had; t < _tiles.Length; t++)
            _tiles[t] = new Tile(_window, _earlierLength);
    }

    /// <summary>Rows of a tile, stored together: the blocks of their numbers, the rings of their windows, and what a step needs of each.</summary>
    private sealed class Tile(int window, int earlier)
    {
        public readonly Block[] Blocks = new Block[BlocksPerTile];
        public readonly bool[] Present = new bool[RowsPerTile];
        public readonly long[] LastStep = new long[RowsPerTile];
        public readonly double[] Novelty = new double[RowsPerTile];
        // Per row, its three windows' rings side by side (a position's three values together, so a step's
        // pushes write one cache line, not three), and where each ring stands.
        public readonly float[] Rings = new float[RowsPerTile * Windows * window];
        public readonly int[] Positions = new int[RowsPerTile * Windows];
        public readonly float[] Earlier = new float[RowsPerTile * earlier];
        public readonly int[] EarlierPositions = new int[RowsPerTile];
        // Per block, 1 + its place among the blocks staged, or 0.
        public readonly int[] StagedAt = new int[BlocksPerTile];
    }

    /// <summary>Four rows' records, windows' sums and counts, correlations and counts of steps seen.</summary>
    private struct Block
    {
        public RecordRangeLanes Value, Level, Change, Surprise, WeekChange;
        public WindowMeanLanes Recent, Changes, WeekChanges;
        public CorrelationLanes Daily, Weekly;
        public Vector256<double> Seen, WeekSeen;
    }

    /// <summary>What a block's rows were staged with: a lane not stepped holds NaN everywhere and no mask.</summary>
    private struct Staging(int tile, int block)
    {
        public readonly int Tile = tile;
        public readonly int Block = block;
        public Vector256<double> Stepped;
        public Vector256<double> Value = Vector256.Create(double.NaN);
        public Vector256<double> Change = Vector256.Create(double.NaN);
        public Vector256<double> WeekChange = Vector256.Create(double.NaN);
        public Vector256<double> DayAgo = Vector256.Create(double.NaN);
        public Vector256<double> WeekAgo = Vector256.Create(double.NaN);
        public Vector256<double> Surprise = Vector256.Create(double.NaN);
        public Vector256<double> LeavingRecent = Vector256.Create(double.NaN);
        public Vector256<double> LeavingChange = Vector256.Create(double.NaN);
        public Vector256<double> LeavingWeekChange = Vector256.Create(double.NaN);
        // Bit window * 4 + lane: that window's ring wrapped, so its sum is counted again.
        public int Recount;
    }
}
