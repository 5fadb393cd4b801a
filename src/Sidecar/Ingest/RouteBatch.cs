using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>
/// A group of a request's scanned series whose routes are looked up together. One series at a time, each
/// lookup waited for its slot in memory, and the lock each series' update takes (a full fence) kept the
/// next lookup from starting early, so over many series the misses came one after another. Here the
/// decoder scans a group, then the slots of all of it are loaded in one tight loop, so their misses
/// overlap, then the routes are looked up and their series read ahead, again together, then each series
/// is stored in the order received. Held per thread, so a steady stream of requests allocates nothing.
/// </summary>
internal sealed class RouteBatch
{
    /// <summary>Series per group: the cache lines of their slots, 16 KB at most, stay in the first-level cache until the lookups.</summary>
    public const int Capacity = 256;

    [ThreadStatic]
    private static RouteBatch? t_cached;

    private readonly int[] _start = new int[Capacity];
    private readonly int[] _length = new int[Capacity];
    private readonly SeriesCounts[] _counts = new SeriesCounts[Capacity];
    private readonly UInt128[] _fingerprints = new UInt128[Capacity];
    private readonly SeriesRoute?[] _routes = new SeriesRoute?[Capacity];

    // What the series' touches read, kept so that the reads stay in the compiled code.
    private long _touched;

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

    /// <summary>Loads the route-table slot of the first <paramref name="count"/> series, ahead of their lookups.</summary>
    public void TouchSlots(SeriesStore store, int count)
    {
        for (int i = 0; i < count; i++)
            store.TouchRoute(_fingerprints[i]);
    }

    public ReadOnlySpan<byte> Message(ReadOnlySpan<byte> request, int i) => request.Slice(_start[i], _length[i]);

    public SeriesCounts Counts(int i) => _counts[i];

    public UInt128 Fingerprint(int i) => _fingerprints[i];

    /// <summary>Keeps the route of series <paramref name="i"/> and reads its first series ahead of the store (<see cref="SeriesRoute.Touch"/>).</summary>
    public void Resolve(int i, SeriesRoute route)
    {
        _routes[i] = route;
        _touched += route.Touch();
    }

    /// <summary>The route <see cref="Resolve"/> kept for series <paramref name="i"/>; null for a label set the table didn't know.</summary>
    public SeriesRoute? Route(int i) => _routes[i];

    /// <summary>Empties the batch; the routes of its first <paramref name="resolved"/> series are let go.</summary>
    public void Clear(int resolved = 0)
    {
        Count = 0;
        Array.Clear(_routes, 0, resolved);
    }
}
