using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using Sidecar.Host;
using Sidecar.Protocol;
using Sidecar.Protocol.RemoteWrite;

namespace Sidecar.Store;

/// <summary>
/// Every target's series, and the routing of incoming label sets to them. Routing is decided once per
/// distinct label set and cached under the label set's wire bytes, so a steady firehose costs one
/// hash lookup per series per request and no allocation.
/// </summary>
internal sealed class SeriesStore
{
    /// <summary>Bounds the routing cache so a flood of never-selected label sets can't exhaust memory.</summary>
    public const int MaxCachedRoutes = 1_000_000;

    private readonly ConcurrentDictionary<byte[], SeriesRoute> _routes = new(ByteKeyComparer.Instance);
    private readonly ConcurrentDictionary<byte[], SeriesRoute>.AlternateLookup<ReadOnlySpan<byte>> _routesBySpan;
    private readonly Dictionary<LabelSet, SeriesRoute> _routesByLabels = [];
    private readonly LimitSettings _limits;
    private readonly TimeProvider _time;
    private int _seriesCount;

    public SeriesStore(SidecarSettings settings, TimeProvider time)
    {
        _limits = settings.Limits;
        _time = time;
        _routesBySpan = _routes.GetAlternateLookup<ReadOnlySpan<byte>>();
        Targets = settings.Targets.Select(t => new TargetStore(t)).ToArray();
    }

    public IReadOnlyList<TargetStore> Targets { get; }

    public int SeriesCount => Volatile.Read(ref _seriesCount);

    /// <summary>Decodes every series of a remote-write 1.0 request into the store.</summary>
    public IngestResult IngestV1(ReadOnlySpan<byte> writeRequest)
    {
        var result = new IngestResult();
        byte[] scratch = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            var reader = new WriteRequestReader(writeRequest);
            while (reader.TryReadSeries(out TimeSeriesView view))
            {
                SeriesRoute route = Resolve(view, ref scratch);
                Append(route, view, ref result);
            }
            return result;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void Append(SeriesRoute route, TimeSeriesView view, ref IngestResult result)
    {
        if (route.InvalidReason is not null)
        {
            result.InvalidSeries++;
            result.FirstInvalid ??= route.InvalidReason;
            return;
        }
        if (route.Series.Length == 0)
        {
            int samples = 0;
            foreach (var _ in view.Samples)
                samples++;
            if (ReferenceEquals(route, SeriesRoute.OverLimit))
                result.SamplesOverLimit += samples;
            else
                result.SamplesUnselected += samples;
            return;
        }
        long now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (SampleValue sample in view.Samples)
        {
            if (StaleMarker.Is(sample.Value))
            {
                result.StaleMarkers++;
                foreach (var series in route.Series)
                {
                    series.End(now);
                    series.Owner.NotifyClosed(series);
                }
                continue;
            }
            if (!double.IsFinite(sample.Value))
            {
                // A gap, never a value: the step stays NaN and is neither trained on nor scored.
                result.SamplesNonFinite++;
                continue;
            }
            result.SamplesAccepted++;
            foreach (var series in route.Series)
            {
                if (series.Append(sample.TimestampMs, sample.Value, now))
                    series.Owner.NotifyClosed(series);
            }
        }
    }

    private SeriesRoute Resolve(TimeSeriesView view, ref byte[] scratch)
    {
        int length;
        while ((length = view.CopyLabelKey(scratch)) < 0)
        {
            int larger = scratch.Length * 2;
            ArrayPool<byte>.Shared.Return(scratch);
            scratch = ArrayPool<byte>.Shared.Rent(larger);
        }
        ReadOnlySpan<byte> key = scratch.AsSpan(0, length);
        if (_routesBySpan.TryGetValue(key, out SeriesRoute? cached))
            return cached;
        return ResolveSlow(view, key);
    }

    private SeriesRoute ResolveSlow(TimeSeriesView view, ReadOnlySpan<byte> key)
    {
        var (labels, invalid) = Materialize(view);
        SeriesRoute route;
        if (invalid is not null)
        {
            route = SeriesRoute.Invalid(invalid);
        }
        else
        {
            lock (_routesByLabels)
            {
                // The same label set may arrive in another label order: it must reach the same series.
                if (!_routesByLabels.TryGetValue(labels!, out route!))
                {
                    route = CreateRoute(labels!);
                    bool keep = route.Series.Length > 0 || _routesByLabels.Count < MaxCachedRoutes;
                    if (keep && !ReferenceEquals(route, SeriesRoute.OverLimit))
                        _routesByLabels[labels!] = route;
                }
            }
        }
        // A refusal by the series limit isn't cached: the label set is tried again once capacity frees up.
        if (!ReferenceEquals(route, SeriesRoute.OverLimit) && _routes.Count < MaxCachedRoutes)
            _routesBySpan.TryAdd(key, route);
        return route;
    }

    private SeriesRoute CreateRoute(LabelSet labels)
    {
        var series = new List<Series>();
        bool refused = false;
        foreach (var target in Targets)
        {
            if (!target.Settings.Selector.Matches(labels))
                continue;
            if (Interlocked.Increment(ref _seriesCount) > _limits.MaxSeries)
            {
                Interlocked.Decrement(ref _seriesCount);
                SeriesOverLimit?.Invoke(target.Settings.Name);
                refused = true;
                continue;
            }
            series.Add(target.Add(labels));
        }
        // A label set that one target took and another refused keeps the series it got; creating
        // it again on the next request would duplicate that series.
        if (series.Count > 0)
            return SeriesRoute.To(series.ToArray());
        return refused ? SeriesRoute.OverLimit : SeriesRoute.Unselected;
    }

    /// <summary>Raised (cold path) when a new series is refused because of <c>limits.max_series</c>.</summary>
    public event Action<string>? SeriesOverLimit;

    private static (LabelSet? Labels, string? Invalid) Materialize(TimeSeriesView view)
    {
        var labels = new List<KeyValuePair<string, string>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        string? invalid = null;
        foreach (LabelView label in view.Labels)
        {
            string name = Encoding.UTF8.GetString(label.Name);
            string value = Encoding.UTF8.GetString(label.Value);
            if (name.Length == 0)
                invalid ??= "a label has an empty name";
            else if (!names.Add(name))
                invalid ??= $"label {name} appears twice";
            labels.Add(new(name, value));
        }
        if (invalid is null && !names.Contains(LabelSet.MetricNameLabel))
            invalid = "it has no __name__ label";
        if (invalid is not null)
        {
            string shown = string.Join(", ", labels.Select(l => $"{l.Key}=\"{l.Value}\""));
            return (null, $"invalid series {{{shown}}}: {invalid}");
        }
        return (new LabelSet(labels), null);
    }
}
