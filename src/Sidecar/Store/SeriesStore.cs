using System.Buffers;
using System.Text;
using System.Diagnostics.CodeAnalysis;
using Sidecar.Host;
using Sidecar.Protocol;

namespace Sidecar.Store;

/// <summary>
/// Every target's series, and the routing of incoming label sets to them. Routing is decided once per
/// distinct label set and cached (<see cref="RouteTable"/>) under a byte key that the decoder derives from
/// the wire (for example the encoded labels), so a steady firehose costs one hash lookup per series per
/// request and no allocation. The store knows nothing of wire formats.
/// </summary>
internal sealed class SeriesStore
{
    /// <summary>Bounds the routing cache so a flood of never-selected label sets can't exhaust memory.</summary>
    public const int MaxCachedRoutes = 1_000_000;

    private readonly RouteTable _routes = new();
    private readonly Dictionary<LabelSet, SeriesRoute> _routesByLabels = [];
    // Ingest holds it shared for a whole request; a reload holds it exclusively while it swaps targets.
    private readonly ReaderWriterLockSlim _swap = new(LockRecursionPolicy.SupportsRecursion);
    private volatile LimitSettings _limits;
    private readonly TimeProvider _time;
    private int _seriesCount;

    public SeriesStore(SidecarSettings settings, TimeProvider time)
    {
        _limits = settings.Limits;
        _time = time;
        _targets = settings.Targets.Select(t => new TargetStore(t)).ToArray();
    }

    private volatile TargetStore[] _targets;

    /// <summary>The targets in use; a reload replaces the list, so take it once per pass.</summary>
    public IReadOnlyList<TargetStore> Targets => _targets;

    /// <summary>
    /// Marks the calling thread as writing samples until disposed. A reload waits for every such writer
    /// to finish before it swaps targets, and writers wait for the swap: a request routes all its
    /// series under one config, and no sample lands in a target after it was discarded.
    /// </summary>
    public IngestScope EnterIngest()
    {
        _swap.EnterReadLock();
        return new IngestScope(_swap);
    }

    public readonly struct IngestScope(ReaderWriterLockSlim swap) : IDisposable
    {
        public void Dispose() => swap.ExitReadLock();
    }

    /// <summary>
    /// Replaces the targets with those of <paramref name="next"/>, between two ingest requests. A target
    /// that <paramref name="reuse"/> maps to a current store keeps that store and its series (taking the
    /// new settings); every other one starts empty. Routes are decided again from the next sample on.
    /// </summary>
    /// <returns>The new targets, and which of them are new stores.</returns>
    public (IReadOnlyList<TargetStore> Targets, IReadOnlyList<TargetStore> Created) Reconfigure(
        SidecarSettings next, Func<TargetSettings, TargetStore?> reuse)
    {
        var created = new List<TargetStore>();
        TargetStore[] targets;
        _swap.EnterWriteLock();
        try
        {
            targets = next.Targets.Select(settings =>
            {
                if (reuse(settings) is { } kept)
                {
                    kept.Reconfigure(settings);
                    return kept;
                }
                var store = new TargetStore(settings);
                created.Add(store);
                return store;
            }).ToArray();
            _targets = targets;
            _limits = next.Limits;
            Volatile.Write(ref _seriesCount, targets.Sum(t => t.Count));
            // Cached routes point at series of the old target list; kept series are found again by labels.
            lock (_routesByLabels)
            {
                _routesByLabels.Clear();
                _routes.Clear();
            }
        }
        finally
        {
            _swap.ExitWriteLock();
        }
        Reconfigured?.Invoke(created);
        return (targets, created);
    }

    /// <summary>
    /// Forgets every series silent for longer than its target's retention (<c>forget_after</c>, by default
    /// its history): it leaves its target, its routes are dropped, and its place under <c>max_series</c> is
    /// free. Runs between ingest requests, like a reload; the label set starts afresh if it comes back.
    /// </summary>
    /// <returns>How many series were forgotten, by target.</returns>
    public IReadOnlyList<(TargetStore Target, int Forgotten)> ForgetSilent()
    {
        long now = NowMs;
        List<(TargetStore Target, Series[] Series)>? silent = null;
        foreach (var target in _targets)
        {
            long retention = target.Settings.RetentionMs;
            Series[] gone = [.. target.Snapshot().Where(s => now - s.LastReceivedAtMs > retention)];
            if (gone.Length > 0)
                (silent ??= []).Add((target, gone));
        }
        if (silent is null)
            return [];
        _swap.EnterWriteLock();
        try
        {
            var forgotten = new HashSet<Series>(ReferenceEqualityComparer.Instance);
            foreach (var (target, candidates) in silent)
            {
                foreach (var series in candidates)
                {
                    // A sample may have arrived since the look above; the check is repeated under the lock.
                    if (now - series.LastReceivedAtMs <= target.Settings.RetentionMs || series.Forgotten)
                        continue;
                    target.Forget(series);
                    forgotten.Add(series);
                    Interlocked.Decrement(ref _seriesCount);
                }
            }
            DropRoutesTo(forgotten);
            return [.. silent.Select(t => (t.Target, t.Series.Count(forgotten.Contains))).Where(t => t.Item2 > 0)];
        }
        finally
        {
            _swap.ExitWriteLock();
        }
    }

    // Under the write lock. A route shared with another target's live series is dropped too (routes are
    // immutable): that target indexes its series by labels, so the next sample finds them again.
    private void DropRoutesTo(HashSet<Series> forgotten)
    {
        if (forgotten.Count == 0)
            return;
        foreach (var route in _routes.RemoveWhere(route => Array.Exists(route.Series, forgotten.Contains)))
        {
            foreach (var kept in route.Series)
            {
                if (!forgotten.Contains(kept))
                    kept.Owner.IndexByLabels();
            }
        }
        lock (_routesByLabels)
        {
            foreach (var series in forgotten)
            {
                if (_routesByLabels.TryGetValue(series.Labels, out var route) && Array.IndexOf(route.Series, series) >= 0)
                    _routesByLabels.Remove(series.Labels);
            }
        }
    }

    public MetricMetadataStore Metadata { get; } = new();

    public int SeriesCount => Volatile.Read(ref _seriesCount);

    /// <summary>Raised after every reload with the targets that got a new, empty store (added, or changed beyond reuse).</summary>
    public event Action<IReadOnlyList<TargetStore>>? Reconfigured;

    /// <summary>Raised (cold path) for every new series, after it joined its target.</summary>
    public event Action<Series>? SeriesCreated;

    public static class RefusalReason
    {
        public const string GlobalLimit = "global_limit";
        public const string TargetLimit = "target_limit";
    }

    /// <summary>Raised (cold path) with the target and a <see cref="RefusalReason"/> when a new series is refused.</summary>
    public event Action<string, string>? SeriesOverLimit;

    public long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The cached route of a label set seen before; the fast path.</summary>
    public bool TryGetRoute(ReadOnlySpan<byte> key, [NotNullWhen(true)] out SeriesRoute? route) =>
        _routes.TryGet(key, out route);

    /// <summary>The cached route under a key's fingerprint and its only series, where it has one (<see cref="RouteTable.TryGet(UInt128, out SeriesRoute?, out Series?)"/>).</summary>
    public bool TryGetRoute(UInt128 fingerprint, [NotNullWhen(true)] out SeriesRoute? route, out Series? only) =>
        _routes.TryGet(fingerprint, out route, out only);

    /// <summary>Starts loading where the route of a key's fingerprint is cached (<see cref="RouteTable.Prefetch"/>).</summary>
    public void PrefetchRoute(UInt128 fingerprint) => _routes.Prefetch(fingerprint);

    /// <summary>
    /// Decides the route of a label set seen for the first time under <paramref name="key"/>: validates
    /// it, matches it against every target, creates its series, and caches the decision.
    /// </summary>
    public SeriesRoute AddRoute(ReadOnlySpan<byte> key, List<KeyValuePair<string, string>> labels, TargetStore? only = null)
    {
        string? invalid = Validate(labels);
        // As in Prometheus, a label with an empty value is the same as no label at all.
        labels.RemoveAll(l => l.Value.Length == 0);
        if (invalid is null && !labels.Exists(l => l.Key == LabelSet.MetricNameLabel))
            invalid = "it has no __name__ label (or an empty one)";
        SeriesRoute route;
        if (invalid is not null)
        {
            string shown = string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value}\""));
            route = SeriesRoute.Invalid($"invalid series {{{shown}}}: {invalid}");
        }
        else
        {
            var labelSet = new LabelSet(labels);
            if (only is not null)
            {
                // A query target's series may already exist, restored from a snapshot.
                route = only.Find(labelSet) is { } existing ? SeriesRoute.To([existing]) : CreateRoute(labelSet, only);
                if (!ReferenceEquals(route, SeriesRoute.OverLimit))
                    _routes.TryAdd(key, route, MaxCachedRoutes);
                return route;
            }
            lock (_routesByLabels)
            {
                // The same label set may arrive in another label order or protocol: it must reach the same series.
                if (!_routesByLabels.TryGetValue(labelSet, out route!))
                {
                    route = CreateRoute(labelSet);
                    // Only label sets with series are remembered here (to find their series again under
                    // another key); unselected ones live in the bounded span cache alone.
                    if (route.Series.Length > 0)
                        _routesByLabels[labelSet] = route;
                }
            }
        }
        // A refusal by the series limit isn't cached: the label set is tried again once capacity frees up.
        if (!ReferenceEquals(route, SeriesRoute.OverLimit))
            _routes.TryAdd(key, route, MaxCachedRoutes);
        return route;
    }

    /// <summary>
    /// Stores samples of a series known by its decoded labels (backfill, PromQL). The routing key is the
    /// labels' UTF-8 bytes, so these paths share the cache without allocating for known series.
    /// </summary>
    /// <param name="only">A PromQL target whose results go to it alone, with no selector involved.</param>
    public IngestResult Ingest(List<KeyValuePair<string, string>> labels, ReadOnlySpan<Protocol.RemoteWrite.SampleValue> samples, TargetStore? only = null)
    {
        using var scope = EnterIngest();
        if (only is not null && Array.IndexOf(_targets, only) < 0)
            return new IngestResult { SamplesUnselected = samples.Length }; // its target was reloaded away
        const byte SelectedKeyFormat = 3, TargetKeyFormat = 4;
        int size = 5;
        foreach (var (name, value) in labels)
            size += 8 + Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value);
        byte[] key = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            key[0] = only is null ? SelectedKeyFormat : TargetKeyFormat;
            int written = 1;
            if (only is not null)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(key.AsSpan(1), Array.IndexOf(_targets, only));
                written += 4;
            }
            foreach (var (name, value) in labels)
            {
                written += WriteString(key.AsSpan(written), name);
                written += WriteString(key.AsSpan(written), value);
            }
            ReadOnlySpan<byte> span = key.AsSpan(0, written);
            SeriesRoute route = TryGetRoute(span, out SeriesRoute? cached) ? cached : AddRoute(span, [.. labels], only);
            var result = new IngestResult();
            if (route.InvalidReason is not null)
            {
                result.InvalidSeries = 1;
                result.InvalidSamples = samples.Length;
                result.FirstInvalid = route.InvalidReason;
                return result;
            }
            long nowMs = NowMs;
            foreach (var sample in samples)
                Append(route, sample.TimestampMs, sample.Value, nowMs, ref result);
            EndBatch(route);
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(key);
        }
    }

    private static int WriteString(Span<byte> destination, string text)
    {
        int length = Encoding.UTF8.GetBytes(text, destination[4..]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        return 4 + length;
    }

    /// <summary>Counts the samples of a route that feeds no series (unselected, or refused by the limit).</summary>
    public static void CountUnrouted(SeriesRoute route, int samples, ref IngestResult result)
    {
        if (ReferenceEquals(route, SeriesRoute.OverLimit))
            result.SamplesOverLimit += samples;
        else
            result.SamplesUnselected += samples;
    }

    /// <summary>Called after the last of a batch of samples for a route, so late writes are encoded once per batch.</summary>
    public static void EndBatch(SeriesRoute route)
    {
        if (route.Only is { } only)
        {
            only.EndBatch();
            return;
        }
        foreach (var series in route.Series)
            series.EndBatch();
    }

    /// <summary>Applies one sample to a route's series and counts what happened.</summary>
    public static void Append(SeriesRoute route, long timestampMs, double value, long nowMs, ref IngestResult result)
    {
        if (!route.HasSeries)
        {
            CountUnrouted(route, 1, ref result);
            return;
        }
        if (route.Only is { } only)
        {
            Append(only, timestampMs, value, nowMs, ref result);
            return;
        }
        SampleKind kind = Count(value, ref result);
        foreach (var series in route.Series)
            Apply(kind, series, timestampMs, value, nowMs);
    }

    /// <summary>
    /// <see cref="Append(SeriesRoute, long, double, long, ref IngestResult)"/> for a route that feeds exactly
    /// one series, the usual case, given that series: the route itself is not read.
    /// </summary>
    public static void Append(Series only, long timestampMs, double value, long nowMs, ref IngestResult result) =>
        Apply(Count(value, ref result), only, timestampMs, value, nowMs);

    private enum SampleKind { Value, StaleMarker, Gap }

    private static SampleKind Count(double value, ref IngestResult result)
    {
        if (StaleMarker.Is(value))
        {
            result.StaleMarkers++;
            return SampleKind.StaleMarker;
        }
        if (!double.IsFinite(value))
        {
            // A gap, never a value: the step stays NaN and is neither trained on nor scored.
            result.SamplesNonFinite++;
            return SampleKind.Gap;
        }
        result.SamplesAccepted++;
        return SampleKind.Value;
    }

    private static void Apply(SampleKind kind, Series series, long timestampMs, double value, long nowMs)
    {
        if (kind == SampleKind.Value)
        {
            if (series.Append(timestampMs, value, nowMs))
                series.Owner.NotifyClosed(series);
        }
        else if (kind == SampleKind.StaleMarker)
        {
            series.End(nowMs);
            series.Owner.NotifyClosed(series);
        }
    }

    /// <summary>
    /// Restores a snapshot's series, before any sample arrives. Series of a target that no longer exists,
    /// whose step changed, whose selector no longer matches them, or that were silent past their
    /// retention, are skipped. A changed history keeps the newest steps that fit it: an upgrade whose
    /// default history is longer (7d became 8d) keeps every step saved, and the longer window fills as
    /// data arrives.
    /// </summary>
    /// <returns>Series restored and skipped.</returns>
    public (int Restored, int Skipped) Restore(IEnumerable<Snapshots.SnapshotFile.Entry> entries)
    {
        int restored = 0, skipped = 0;
        var byLabels = new Dictionary<LabelSet, List<Series>>();
        foreach (var (targetName, stepMs, _, snapshot) in entries)
        {
            var target = Targets.FirstOrDefault(t => t.Settings.Name == targetName && t.Settings.StepMs == stepMs);
            // A series that went silent past its retention while the sidecar was down is not brought back.
            bool fits = target is not null && NowMs - snapshot.LastReceivedAtMs <= target.Settings.RetentionMs
                && (target.Settings.Selector?.Matches(snapshot.Labels) ?? true)
                && (target.Settings.MaxSeries == 0 || target.Count < target.Settings.MaxSeries)
                && SeriesCount < _limits.MaxSeries;
            if (!fits)
            {
                skipped++;
                continue;
            }
            // Restoring happens once, before ingest starts: nothing else counts series meanwhile.
            Interlocked.Increment(ref _seriesCount);
            var series = target!.Add(snapshot.Labels, IsCounter(target.Settings, snapshot.Labels));
            series.Restore(snapshot);
            if (snapshot.NewestStep != long.MinValue)
                target.RestoredUntilMs = Math.Max(target.RestoredUntilMs, (snapshot.NewestStep + 1) * target.Settings.StepMs);
            if (!byLabels.TryGetValue(snapshot.Labels, out var list))
                byLabels[snapshot.Labels] = list = [];
            list.Add(series);
            restored++;
        }
        lock (_routesByLabels)
        {
            // Query targets' series are found again through their own key, not through selectors.
            foreach (var (labels, series) in byLabels)
            {
                if (series.All(s => s.Target.Selector is not null))
                    _routesByLabels[labels] = SeriesRoute.To([.. series]);
            }
        }
        return (restored, skipped);
    }

    /// <summary>
    /// Counter or gauge, decided when the series is created: the target's <c>type</c> when it says so,
    /// else remote-write metadata saying COUNTER, else the <c>_total</c> suffix of counters' names.
    /// </summary>
    private bool IsCounter(TargetSettings target, LabelSet labels) => target.ValueType switch
    {
        SeriesValueType.Counter => true,
        SeriesValueType.Gauge => false,
        _ => Metadata.Get(labels.MetricName)?.Type == MetricType.Counter
            || labels.MetricName.EndsWith("_total", StringComparison.Ordinal),
    };

    private SeriesRoute CreateRoute(LabelSet labels, TargetStore? only = null)
    {
        var series = new List<Series>();
        bool refused = false;
        foreach (var target in _targets)
        {
            bool selected = only is null ? target.Settings.Selector?.Matches(labels) == true : ReferenceEquals(target, only);
            if (!selected)
                continue;
            // After a reload the route cache is empty while kept targets still hold their series.
            if (target.FindKept(labels) is { } existing)
            {
                series.Add(existing);
                continue;
            }
            if (target.Settings.MaxSeries > 0 && target.Count >= target.Settings.MaxSeries)
            {
                SeriesOverLimit?.Invoke(target.Settings.Name, RefusalReason.TargetLimit);
                refused = true;
                continue;
            }
            if (Interlocked.Increment(ref _seriesCount) > _limits.MaxSeries)
            {
                Interlocked.Decrement(ref _seriesCount);
                SeriesOverLimit?.Invoke(target.Settings.Name, RefusalReason.GlobalLimit);
                refused = true;
                continue;
            }
            var created = target.Add(labels, IsCounter(target.Settings, labels));
            series.Add(created);
            SeriesCreated?.Invoke(created);
        }
        // A label set that one target took and another refused keeps the series it got; creating
        // it again on the next request would duplicate that series.
        if (series.Count > 0)
            return SeriesRoute.To(series.ToArray());
        return refused ? SeriesRoute.OverLimit : SeriesRoute.Unselected;
    }

    private static string? Validate(List<KeyValuePair<string, string>> labels)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, _) in labels)
        {
            if (name.Length == 0)
                return "a label has an empty name";
            if (!names.Add(name))
                return $"label {name} appears twice";
        }
        return null;
    }
}
