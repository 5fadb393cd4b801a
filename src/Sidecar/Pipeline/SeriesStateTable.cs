using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// What a pipeline keeps about each series, by series id, and which series the current pass found current,
/// so that pass's staleness sweep can skip them. A series forgotten by the store leaves its id to a newer
/// series, which gets a state of its own; the old one is handed to the pipeline's drop first. Touched by the
/// inference loop only.
/// </summary>
/// <param name="drop">Frees what the pipeline holds for a state whose id a newer series took.</param>
internal sealed class SeriesStateTable(Action<SeriesState> drop)
{
    private readonly List<SeriesState?> _states = [];
    // Per series id, the pass in which the step found the series neither silent nor behind (NoteCurrent).
    private int[] _currentInPass = [];
    private int _pass;

    /// <summary>One more than the highest id that ever had a state: the range of ids the indexer covers.</summary>
    public int Count => _states.Count;

    /// <summary>The state kept under <paramref name="id"/>, whichever series it belongs to; null for none.</summary>
    public SeriesState? this[int id] => _states[id];

    /// <summary>Starts a pass (a call of the pipeline's Process): no series is current in it yet.</summary>
    public void BeginPass() => _pass++;

    /// <summary>The state of <paramref name="series"/>, made on first use.</summary>
    public SeriesState StateOf(Series series)
    {
        while (_states.Count <= series.Id)
            _states.Add(null);
        SeriesState? state = _states[series.Id];
        // The usual case returns without storing: a reference stored into the list is a type check and a
        // write barrier, at every step of every series.
        if (state is not null && ReferenceEquals(state.Series, series))
            return state;
        // The id belonged to a series that was forgotten: nothing of that one carries over.
        if (state is not null)
            drop(state);
        return _states[series.Id] = new SeriesState(series);
    }

    /// <summary>The state of exactly this series, if it has one (not that of an earlier series with its id).</summary>
    public SeriesState? StateIfCurrent(Series series)
    {
        SeriesState? state = series.Id < _states.Count ? _states[series.Id] : null;
        return state is not null && ReferenceEquals(state.Series, series) ? state : null;
    }

    /// <summary>Clears <paramref name="state"/>'s id, if the state still holds it.</summary>
    public void Remove(SeriesState state)
    {
        int id = state.Series.Id;
        if (id < _states.Count && ReferenceEquals(_states[id], state))
            _states[id] = null;
    }

    /// <summary>
    /// Tells this pass's sweep that series <paramref name="id"/> was processed up to the step closed at the
    /// pass's time and was heard from within the timeout: hiding it or queueing it would find nothing to do.
    /// A sample that comes in meanwhile only makes it more current, and queues its series itself.
    /// </summary>
    public void NoteCurrent(int id)
    {
        if (id >= _currentInPass.Length)
            Array.Resize(ref _currentInPass, Math.Max(id + 1, _currentInPass.Length * 2));
        _currentInPass[id] = _pass;
    }

    /// <summary>Whether <see cref="NoteCurrent"/> was told of series <paramref name="id"/> in this pass.</summary>
    public bool CurrentInPass(int id) => id < _currentInPass.Length && _currentInPass[id] == _pass;
}
