namespace Sidecar.Score;

/// <summary>
/// The judging state of one target's forecast combinations, a row per series id, in blocks of
/// <see cref="RowsPerBlock"/> neighbouring ids (<see cref="CombinationBlock"/>): the step walks series in id
/// order, so it reads each horizon's weights, errors and waiting forecasts row after row. A block is made when
/// the first series of its ids gets a combination and kept after: ids are reused lowest first, so the blocks
/// stay as many as the most series the target held at once needed. Touched by the inference loop only.
/// </summary>
internal sealed class CombinationRows(IReadOnlyList<int> horizonSteps, int daySteps)
{
    /// <summary>Rows per block: a horizon's 64 weights are eight cache lines.</summary>
    public const int RowsPerBlock = 64;

    private CombinationBlock?[] _blocks = [];

    public WaitingSchedule Schedule { get; } = WaitingSchedule.For(horizonSteps);

    public int DaySteps { get; } = Math.Max(1, daySteps);

    /// <summary>Blocks made so far (for tests).</summary>
    public int Blocks => _blocks.Count(block => block is not null);

    /// <summary>The block holding series <paramref name="id"/>'s row, made if need be, and the row.</summary>
    public CombinationBlock BlockOf(int id, out int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        int block = id / RowsPerBlock;
        if (block >= _blocks.Length)
            Array.Resize(ref _blocks, Math.Max(block + 1, 2 * _blocks.Length));
        row = id % RowsPerBlock;
        return _blocks[block] ??= new CombinationBlock(Schedule, DaySteps, RowsPerBlock);
    }
}
