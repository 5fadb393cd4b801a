using Sidecar.Model;

namespace Sidecar.Score;

/// <summary>
/// The judging state of one target's forecast combinations, a row per series id, in blocks of neighbouring
/// ids (<see cref="CombinationBlock"/>, <see cref="IdTiles{TTile}"/>): the step walks series in id order, so it
/// reads each horizon's weights, errors and waiting forecasts row after row. Touched by the inference loop only.
/// </summary>
internal sealed class CombinationRows(IReadOnlyList<int> horizonSteps, int daySteps)
{
    // A horizon's 64 weights are eight cache lines.
    private readonly IdTiles<CombinationBlock> _blocks = new(() => new CombinationBlock(WaitingSchedule.For(horizonSteps), daySteps, IdTiles<CombinationBlock>.RowsPerTile));

    /// <summary>Blocks made so far (for tests).</summary>
    public int Blocks => _blocks.Count;

    /// <summary>The block holding series <paramref name="id"/>'s row, made if need be, and the row.</summary>
    public CombinationBlock BlockOf(int id, out int row) => _blocks.TileOf(id, out row);
}
