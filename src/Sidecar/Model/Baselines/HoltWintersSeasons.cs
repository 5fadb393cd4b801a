namespace Sidecar.Model.Baselines;

/// <summary>
/// The seasonal offsets of one target's Holt-Winters models (<c>model.combine</c>), kept by phase, then by
/// series: a block holds <see cref="Columns"/> series of neighbouring ids (<see cref="IdTiles{TTile}"/>), and its
/// row for a phase holds their offsets side by side, with phase = step mod season for every series
/// (<see cref="HoltWintersModel.MoveSeasonTo"/>).
/// </summary>
/// <remarks>
/// A step reads each series' offset at three horizons and writes one, at its own phase. Each in an array of
/// its own, a step over many series touched four lines of each series' 2.9 KB season, which had left the cache
/// since the step before: with 4,096 series that was half the outputs' pass (bench inference, issue 19). Here
/// one row of a block, two lines, serves the block's 64 series at a horizon, and the step walks series in id
/// order. Touched by the inference loop only.
/// </remarks>
internal sealed class HoltWintersSeasons
{
    /// <summary>Series per block: a row of 64 two-byte offsets is two cache lines.</summary>
    public const int Columns = IdTiles<Half[]>.RowsPerTile;

    private readonly IdTiles<Half[]> _blocks;

    public HoltWintersSeasons(int seasonSteps)
    {
        SeasonSteps = seasonSteps;
        _blocks = new(() => new Half[seasonSteps * Columns]);
    }

    /// <summary>The season's length in steps: a model with another is left with its own array.</summary>
    public int SeasonSteps { get; }

    /// <summary>Blocks made so far (for tests).</summary>
    public int Blocks => _blocks.Count;

    /// <summary>
    /// Moves <paramref name="model"/>'s offsets into series <paramref name="id"/>'s column, whatever an earlier
    /// model of that id left there, <paramref name="nextStep"/> being the step the model takes in next. A model
    /// whose season is not <see cref="SeasonSteps"/> long keeps its own array.
    /// </summary>
    public void Hold(int id, HoltWintersModel model, long nextStep)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        if (model.SeasonSteps != SeasonSteps)
            return;
        Half[] table = _blocks.TileOf(id, out int column);
        model.MoveSeasonTo(table, column, Columns, nextStep);
    }
}
