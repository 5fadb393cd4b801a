using System.Collections.Concurrent;
using Sidecar.Host;

namespace Sidecar.Store;

/// <summary>The series of one target, and the queue of those that closed a step since inference last ran.</summary>
internal sealed class TargetStore(TargetSettings settings)
{
    private readonly List<Series> _series = [];
    // Built only once a reload keeps this store (and has dropped the routes to its series): every series
    // is then found again by its labels, which a linear scan would make quadratic. Until then it would
    // cost ~44 bytes per series for lookups that only a cache eviction needs.
    private Dictionary<LabelSet, Series>? _byLabels;
    private readonly ConcurrentQueue<Series> _closed = new();
    private volatile TargetSettings _settings = settings;

    public TargetSettings Settings => _settings;

    /// <summary>
    /// Takes settings from a reload that keeps this store: the same selector or query, step, history,
    /// value type and aggregation, so every series and step already kept stays valid.
    /// </summary>
    public void Reconfigure(TargetSettings next)
    {
        _settings = next;
        lock (_series)
            _byLabels ??= _series.ToDictionary(s => s.Labels);
    }

    /// <summary>End of the history restored from a snapshot (Unix ms), so backfill fetches only the gap; 0 if none.</summary>
    public long RestoredUntilMs { get; set; }

    public int Count
    {
        get
        {
            lock (_series)
                return _series.Count;
        }
    }

    public Series Add(LabelSet labels, bool isCounter)
    {
        lock (_series)
        {
            var series = new Series(_series.Count, labels, this, isCounter);
            _series.Add(series);
            _byLabels?.Add(labels, series);
            return series;
        }
    }

    /// <summary>The series with exactly these labels, if any (cold path: routing a label set for the first time).</summary>
    public Series? Find(LabelSet labels)
    {
        lock (_series)
            return _byLabels is null ? _series.Find(s => s.Labels.Equals(labels)) : _byLabels.GetValueOrDefault(labels);
    }

    /// <summary>
    /// A series this store kept through a reload, whose route the reload dropped; null before any reload,
    /// when every series still has its route and a label set without one is new.
    /// </summary>
    public Series? FindKept(LabelSet labels)
    {
        lock (_series)
            return _byLabels?.GetValueOrDefault(labels);
    }

    /// <summary>A copy of the series list, for training and staleness sweeps (cold paths).</summary>
    public Series[] Snapshot()
    {
        lock (_series)
            return _series.ToArray();
    }

    /// <summary>Queues a series that closed a step or ended; a series is queued at most once at a time.</summary>
    public void NotifyClosed(Series series)
    {
        if (series.TryMarkQueued())
            _closed.Enqueue(series);
    }

    public bool TryDequeueClosed(out Series series)
    {
        if (_closed.TryDequeue(out series!))
        {
            series.ClearQueued();
            return true;
        }
        return false;
    }
}
