using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>
/// A group of a request's scanned series whose routes are looked up together. One series at a time, each
/// lookup waited for its slot in memory, and the lock each series' update takes (a full fence) kept the
/// next lookup from starting early, so over many series the misses came one after another. Here the
/// decoder scans a group, then stores it in a software pipeline: what storing a series reads (the route
/// table's slot, then the series) is prefetched a few series ahead of its store, so a few dozen misses
/// overlap at any time; each series is stored in the order received. Held per thread, so a steady stream
/// of requests allocates nothing.
/// <para>
/// Until 2026-12-06 the group prefetched every series' slot, then looked up every route and prefetched
/// every series, then stored: 256 prefetches at once, more than the core keeps in flight, so the
/// prefetch instructions themselves stalled and lines arrived (or were dropped) before their use. The
/// pipeline stores 1.17 times as many samples per CPU-second (docs/performance.md).
/// </para>
/// </summary>
internal sealed class RouteBatch
{
    /// <summary>Series per group scanned before they are stored.</summary>
    public const int Capacity = 256;

    [ThreadStatic]
    private static RouteBatch? t_cached;

    private readonly int[] _start = new int[Capacity];
    private readonly int[] _length = new int[Capacity];
    private readonly SeriesCounts[] _counts = new SeriesCounts[Capacity];
    private readonly UInt128[] _fingerprints = new UInt128[Capacity];
    private readonly SeriesRoute?[] _routes = new SeriesRoute?[Capacity];
    private readonly Series?[] _only = new Series?[Capacity];

    /// <summary>The calling thread's batch, empty.</summary>
    public static RouteBatch ForThisThread()
    {
        var batch = t_cached ??= new RouteBatch();
        batch.Count = 0;
        return batch;
    }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    /// <summary>Adds a scanned series: where its message lies in the request, what the scan counted, its key's fingerprint.</summary>
    public void Add(int start, int length, SeriesCounts counts, UInt128 fingerprint)
    {
        _start[Count] = start;
        _length[Count] = length;
        _counts[Count] = counts;
        _fingerprints[Count] = fingerprint;
        Count++;
    }

    /// <summary>
    /// Routes and stores the batch's series in the order they came, each series' slot prefetched
    /// 2 × <see cref="Ahead"/> series before its store and its route looked up (and its series
    /// prefetched) <see cref="Ahead"/> before. A new label set (a miss) gets its route from <paramref name="misses"/> only when its turn
    /// comes, as series by series, so a request that turns out malformed creates no series after the
    /// malformed one; the miss handler scans its message again for the key, since the scratch an
    /// interleaved key was copied into has been reused. The batch is emptied even when a series' samples
    /// turn out malformed, so that the store the decoder makes on its way out doesn't apply this batch's
    /// earlier series a second time.
    /// </summary>
    /// <param name="request">The request the batch's messages lie in.</param>
    /// <param name="histogramsField">The field number of a series' histograms in this protocol version.</param>
    public void Store<TMisses>(SeriesStore store, ReadOnlySpan<byte> request, int histogramsField, ref TMisses misses,
        ref byte[] scratch, long nowMs, ref IngestResult result)
        where TMisses : IRouteMisses, allows ref struct
    {
        int count = Count;
        try
        {
            // A software pipeline over the batch: while series i is stored, the route of series i + Ahead is
            // looked up (its slot prefetched Ahead series earlier) and its series prefetched, and the slot of
            // series i + 2 × Ahead is prefetched. Prefetches don't wait, so a few dozen misses are in flight
            // at any time, and each has Ahead stores' time to arrive.
            for (int i = 0; i < Math.Min(count, 2 * Ahead); i++)
                store.PrefetchRoute(_fingerprints[i]);
            for (int i = 0; i < Math.Min(count, Ahead); i++)
                Resolve(store, i);
            for (int i = 0; i < count; i++)
            {
                if (i + 2 * Ahead < count)
                    store.PrefetchRoute(_fingerprints[i + 2 * Ahead]);
                if (i + Ahead < count)
                    Resolve(store, i + Ahead);
                ReadOnlySpan<byte> message = request.Slice(_start[i], _length[i]);
                // An earlier series of this batch may have been the same label set's first.
                SeriesRoute? route = _routes[i];
                Series? only = _only[i];
                if (route is null && !store.TryGetRoute(_fingerprints[i], out route, out only))
                {
                    route = misses.AddRoute(message, ref scratch, ref result);
                    only = route.Only;
                }
                SeriesIngest.Apply(route, only, message, _counts[i], histogramsField, nowMs, ref result);
            }
        }
        finally
        {
            Clear(resolved: count);
        }
    }

    // Series between a route's lookup and its store, and between a slot's prefetch and its lookup: enough
    // stores for a miss to arrive, few enough that the prefetches in flight stay within what the core
    // tracks. 8 measured best of 4, 8 and 16 (docs/performance.md).
    private const int Ahead = 8;

    // Looks up the route of the batch's series i, if its label set was seen before, and starts loading what
    // storing it reads: the series (or, for a route that isn't to exactly one, the route).
    private void Resolve(SeriesStore store, int i)
    {
        if (!store.TryGetRoute(_fingerprints[i], out SeriesRoute? cached, out Series? only))
            return;
        _routes[i] = cached;
        _only[i] = only;
        if (only is not null)
            Series.Prefetch(only);
        else
            CacheHint.Prefetch(cached);
    }

    /// <summary>Empties the batch; the routes of its first <paramref name="resolved"/> series are let go.</summary>
    public void Clear(int resolved = 0)
    {
        Count = 0;
        Array.Clear(_routes, 0, resolved);
        Array.Clear(_only, 0, resolved);
    }
}
