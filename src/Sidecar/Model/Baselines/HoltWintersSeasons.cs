namespace Sidecar.Model.Baselines;

/// <summary>
/// The seasonal offsets of one target's Holt-Winters models (<c>model.combine</c>), kept by phase, then by
/// series: a block holds <see cref="Columns"/> series of neighbouring ids, and its row for a phase holds their
/// offsets side by side, with phase = step mod season for every series (<see cref="HoltWintersModel.MoveSeasonTo"/>).
/// </summary>
/// <remarks>
/// A step reads each series' offset at three horizons and writes one, at its own phase. Each in an array of
/// its own, a step over many series touched four lines of each series' 2.9 KB season, which had left the cache
/// since the step before: with 4,096 series that was half the outputs' pass (bench inference, issue 19). Here
/// one row of a block, two lines, serves the block's 64 series at a horizon, and the step walks series in id
/// order. A block is made when the first series of its ids adopts a model and kept after: ids are reused lowest
/// first, so the blocks stay as many as the most series the target held at once needed. Touched by the
/// inference loop only.
/// </remarks>
internal sealed class HoltWintersSeasons(int seasonSteps)
{
    /// <summary>Series per block: a row of 64 two-byte offsets is two cache lines.</summary>
    public const int Columns = 64;

    private Half[]?[] _blocks = [];

    /// <summary>The season's length in steps: a model with another is left with its own array.</summary>
    public int SeasonSteps => seasonSteps;

    /// <summary>Blocks made so far (for tests and the memory bench).</summary>
    public int Blocks => _blocks.Count(block => block is not null);

    /// <summary>
    /// Moves <paramref name="model"/>'s offsets into series <paramref name="id"/>'s column, whatever an earlier
    /// model of that id left there, <paramref name="nextStep"/> being the step the model takes in next. A model
    /// whose season is not <see cref="SeasonSteps"/> long keeps its own array.
    /// </summary>
    public void Hold(int id, HoltWintersModel model, long nextStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        if (model.SeasonSteps != seasonSteps)
            return;
        int block = id / Columns;
        if (block >= _blocks.Length)
            Array.Resize(ref _blocks, Math.Max(block + 1, 2 * _blocks.Length));
        Half[] table = _blocks[block] ??= new Half[seasonSteps * Columns];
        model.MoveSeasonTo(table, id % Columns, Columns, nextStep);
    }
}
