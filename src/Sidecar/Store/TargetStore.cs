using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Sidecar.Host;

namespace Sidecar.Store;

/// <summary>
/// The series of one target, and which of them closed a step since inference last ran.
/// <para>
/// A series' <see cref="Series.Id"/> is its slot here, so model state can live in arrays indexed by it. A
/// series silent for longer than the target's retention is forgotten (<see cref="Forget"/>): its slot
/// becomes free and the next new series takes the lowest free one, so ids, and every array indexed by
/// them, stay bounded by the most series the target held at once, however many came and went.
/// </para>
/// </summary>
internal sealed class TargetStore(TargetSettings settings)
{
    private readonly List<Series?> _series = [];
    private readonly PriorityQueue<int, int> _freeIds = new();
    private int _live;
    // Built only once a reload keeps this store (and has dropped the routes to its series), or once a
    // route shared with another target is dropped: every series is then found again by its labels, which
    // a linear scan would make quadratic. Until then it would cost ~44 bytes per series for lookups that
    // only a cache eviction needs.
    private Dictionary<LabelSet, Series>? _byLabels;
    private readonly ClosedIds _closed = new();
    private readonly ConcurrentQueue<Series> _forgotten = new();
    private volatile TargetSettings _settings = settings;
    private int _version;
    private Series[]? _current;
    private int _currentVersion;

    public TargetSettings Settings => _settings;

    /// <summary>
    /// Takes settings from a reload that keeps this store: the same selector or query, step, history,
    /// value type and aggregation, so every series and step already kept stays valid.
    /// </summary>
    public void Reconfigure(TargetSettings next)
    {
        _settings = next;
        IndexByLabels();
    }

    /// <summary>Builds the label lookup, so series whose routes were dropped are found again (<see cref="FindKept"/>).</summary>
    public void IndexByLabels()
    {
        lock (_series)
            _byLabels ??= Live().ToDictionary(s => s.Labels);
    }

    /// <summary>End of the history restored from a snapshot (Unix ms), so backfill fetches only the gap; 0 if none.</summary>
    public long RestoredUntilMs { get; set; }

    /// <summary>Series held now (forgotten ones excluded).</summary>
    public int Count
    {
        get
        {
            lock (_series)
                return _live;
        }
    }

    /// <summary>Changes whenever a series joins or is forgotten, so what was derived from the list knows to derive it again.</summary>
    public int Version => Volatile.Read(ref _version);

    public Series Add(LabelSet labels, bool isCounter)
    {
        lock (_series)
        {
            int id = _freeIds.TryDequeue(out int free, out _) ? free : _series.Count;
            _closed.EnsureIds(id + 1); // before any receiver can see the series and mark it
            var series = new Series(id, labels, this, isCounter);
            if (id == _series.Count)
                _series.Add(series);
            else
                _series[id] = series;
            _live++;
            _version++;
            _byLabels?.Add(labels, series);
            return series;
        }
    }

    /// <summary>
    /// Forgets a series: it leaves the list and the label lookup, its slot becomes free, and it is queued
    /// for the pipeline to free its state and gauges (<see cref="TryDequeueForgotten"/>). The caller drops
    /// its routes and counts it off the global limit.
    /// </summary>
    public void Forget(Series series)
    {
        lock (_series)
        {
            if (series.Id >= _series.Count || !ReferenceEquals(_series[series.Id], series))
                return;
            _series[series.Id] = null;
            _freeIds.Enqueue(series.Id, series.Id);
            _live--;
            _version++;
            _byLabels?.Remove(series.Labels);
            series.MarkForgotten();
        }
        _forgotten.Enqueue(series);
    }

    /// <summary>The series with exactly these labels, if any (cold path: routing a label set for the first time).</summary>
    public Series? Find(LabelSet labels)
    {
        lock (_series)
            return _byLabels is null ? Live().FirstOrDefault(s => s.Labels.Equals(labels)) : _byLabels.GetValueOrDefault(labels);
    }

    /// <summary>
    /// A series this store kept whose route was dropped (by a reload, or by forgetting another target's
    /// series on a shared route); null before any such drop, when every series still has its route and a
    /// label set without one is new.
    /// </summary>
    public Series? FindKept(LabelSet labels)
    {
        lock (_series)
            return _byLabels?.GetValueOrDefault(labels);
    }

    /// <summary>A copy of the series held now, for training and other cold paths; the caller may keep or change it.</summary>
    public Series[] Snapshot()
    {
        lock (_series)
            return [.. Live()];
    }

    /// <summary>
    /// The series held now, as one array shared until a series joins or is forgotten: the Holt-Winters refits
    /// read it at every pass, and a copy per pass would be garbage in proportion to the target's size. Read
    /// it, never change it.
    /// </summary>
    public IReadOnlyList<Series> Current()
    {
        lock (_series)
        {
            if (_current is null || _currentVersion != _version)
            {
                _current = [.. Live()];
                _currentVersion = _version;
            }
            return _current;
        }
    }

    // Callers hold the lock.
    private IEnumerable<Series> Live()
    {
        foreach (Series? series in _series)
        {
            if (series is not null)
                yield return series;
        }
    }

    /// <summary>Tells the inference loop that a series closed a step or ended; safe from any thread, and idempotent until taken.</summary>
    public void NotifyClosed(Series series) => _closed.Mark(series.Id);

    /// <summary>
    /// Adds to <paramref name="series"/>, in id order, every series notified since the last call (those
    /// forgotten since left out), and their ids to <paramref name="ids"/>. Their notices are cleared before
    /// anything of them is read, so a sample stored after that read notifies again.
    /// </summary>
    public void TakeClosed(List<Series> series, List<int> ids)
    {
        int from = ids.Count;
        lock (_series)
        {
            _closed.Take(ids);
            int kept = from;
            // Stored through a span, not List.Add: the list's shared generic code checks every reference it
            // stores against the array's element type (a helper call a series; about 1 % of a step's
            // managed time in a perf profile of bench inference, issue 19), a span of a sealed type needs no check.
            int count = series.Count;
            CollectionsMarshal.SetCount(series, count + ids.Count - from);
            Span<Series> taken = CollectionsMarshal.AsSpan(series);
            for (int i = from; i < ids.Count; i++)
            {
                // A forgotten series' id may be free, or another series' by now; that one is taken, and finds
                // nothing new to do unless it closed a step itself.
                if (ids[i] < _series.Count && _series[ids[i]] is { } closed)
                {
                    taken[count++] = closed;
                    ids[kept++] = ids[i];
                }
            }
            CollectionsMarshal.SetCount(series, count);
            ids.RemoveRange(kept, ids.Count - kept);
        }
    }

    /// <summary>A series forgotten since the last call, whose pipeline state is still to be freed.</summary>
    public bool TryDequeueForgotten(out Series series) => _forgotten.TryDequeue(out series!);
}
