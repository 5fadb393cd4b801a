namespace Sidecar.Model;

/// <summary>
/// Tiles of a per-target table, each holding <see cref="RowsPerTile"/> neighbouring series ids, made when the
/// first id of a tile is asked for and kept after: ids are reused lowest first, so the tiles stay as many as
/// the most series the target held at once needed. Used by the tables that <c>model.combine</c> keeps by id
/// (<see cref="Baselines.HoltWintersSeasons"/>, <see cref="Score.CombinationRows"/>).
/// </summary>
internal sealed class IdTiles<TTile>(Func<TTile> makeTile)
    where TTile : class
{
    /// <summary>Series per tile.</summary>
    public const int RowsPerTile = 64;

    private TTile?[] _tiles = [];

    /// <summary>Tiles made so far (for tests and the memory bench).</summary>
    public int Count => _tiles.Count(tile => tile is not null);

    /// <summary>The tile holding series <paramref name="id"/>, made if need be, and its row there.</summary>
    public TTile TileOf(int id, out int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        int tile = id / RowsPerTile;
        if (tile >= _tiles.Length)
            Array.Resize(ref _tiles, Math.Max(tile + 1, 2 * _tiles.Length));
        row = id % RowsPerTile;
        return _tiles[tile] ??= makeTile();
    }
}
