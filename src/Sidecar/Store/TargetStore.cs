using System.Collections.Concurrent;
using Sidecar.Host;

namespace Sidecar.Store;

/// <summary>The series of one target, and the queue of those that closed a step since inference last ran.</summary>
internal sealed class TargetStore(TargetSettings settings)
{
    private readonly List<Series> _series = [];
    private readonly ConcurrentQueue<Series> _closed = new();

    public TargetSettings Settings { get; } = settings;

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
            return series;
        }
    }

    /// <summary>The series with exactly these labels, if any (cold path: a linear scan).</summary>
    public Series? Find(LabelSet labels)
    {
        lock (_series)
            return _series.Find(s => s.Labels.Equals(labels));
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
