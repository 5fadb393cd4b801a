using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Per series id, where the history decodes that its next step's reads a day and a week back will start
/// (none in fifteen steps of sixteen: <see cref="HistoryCursor.DueDecodeAt"/>), so the step's planning loop
/// can ask for those bytes a few series ahead of the reads. Kept by id in one array, which a step walking
/// ids in order reads as a stream: the cursors themselves, in each series' state, would be one more
/// scattered load to find them. Used by the inference loop only.
/// </summary>
/// <remarks>
/// On a week of history the decodes' first loads held most of their time, about 12 ns a series of a
/// 1,024-series step on average over sixteen steps (perf, bench inference, issue 19).
/// </remarks>
internal sealed class DecodeLookahead
{
    // [id * 2]: the read a day back; [id * 2 + 1]: a week back.
    private nint[] _addresses = [];

    /// <summary>Notes, after a step's reads of series <paramref name="id"/>, where its next reads will decode.</summary>
    public void Note(int id, in HistoryCursor dayAgo, in HistoryCursor weekAgo)
    {
        if (id * 2 + 1 >= _addresses.Length)
            Array.Resize(ref _addresses, Math.Max(id * 2 + 2, _addresses.Length * 2));
        _addresses[id * 2] = dayAgo.DueDecodeAt;
        _addresses[id * 2 + 1] = weekAgo.DueDecodeAt;
    }

    /// <summary>Starts loading what series <paramref name="id"/>'s reads will decode this step, if any.</summary>
    public void Prefetch(int id)
    {
        if ((uint)(id * 2 + 1) >= (uint)_addresses.Length)
            return;
        CacheHint.PrefetchTwoLines(_addresses[id * 2]);
        CacheHint.PrefetchTwoLines(_addresses[id * 2 + 1]);
    }
}
