using System.Diagnostics.CodeAnalysis;
using System.IO.Hashing;

namespace Sidecar.Store;

/// <summary>
/// The routing cache: a label set's wire key to its <see cref="SeriesRoute"/>, found by a 128-bit
/// fingerprint of the key rather than the key itself. Every series of every remote-write request is looked
/// up here, so a hit should touch as little memory as it can: one slot (the fingerprint, the route and,
/// for a route to one series, that series, side by side in one array), not the route. A dictionary of byte-array keys touched a bucket, a node and
/// the few hundred bytes of the stored key on every hit, which profiled at 44 % of the receiver's CPU.
/// <para>
/// A fingerprint is not the key: two label sets with the same fingerprint would share a route. With a
/// seeded 128-bit XXH3 the chance that any two of n distinct keys collide is about n²/2¹²⁹: 1.5·10⁻²⁷ for
/// the table's million, 1.5·10⁻²³ for a hundred million over a process's life. That is far below the rate
/// of undetected memory errors, which the exact comparison didn't guard against either. The seed is drawn
/// per process, so colliding label sets can't be prepared ahead.
/// </para>
/// <para>
/// Open addressing with linear probing, at most half full. Lookups take no lock and run beside inserts:
/// a slot is written once (fingerprint first, then its route, released), and a slot without a route ends a
/// probe, so a lookup sees either a finished slot or a miss, which the caller's slow path resolves under
/// the store's locks. Growing publishes a new array. Removal rebuilds the array and must not run beside
/// lookups: the store does it while it holds every ingest request out.
/// </para>
/// </summary>
internal sealed class RouteTable
{
    private const int InitialSlots = 1024;
    private static readonly long Seed = Random.Shared.NextInt64();

    private struct Slot
    {
        public ulong Low;
        public ulong High;
        public SeriesRoute? Route;

        // The route's only series when it has exactly one (SeriesRoute.Only), kept beside it so that the
        // usual hit goes from the slot to the series without loading the route.
        public Series? Only;
    }

    private readonly Lock _write = new();
    private Slot[] _slots = new Slot[InitialSlots];
    private int _count;

    /// <summary>How many routes the table holds.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>What <paramref name="key"/> is cached under.</summary>
    public static UInt128 Fingerprint(ReadOnlySpan<byte> key) => XxHash128.HashToUInt128(key, Seed);

    /// <summary>The route cached for <paramref name="key"/>; the fast path, lock-free and allocation-free.</summary>
    public bool TryGet(ReadOnlySpan<byte> key, [NotNullWhen(true)] out SeriesRoute? route) => TryGet(Fingerprint(key), out route);

    /// <summary>
    /// Starts loading the slot where a lookup of <paramref name="fingerprint"/> starts
    /// (<see cref="CacheHint"/>): prefetching the slots of many keys in a row, before looking any of them
    /// up, lets their cache misses overlap.
    /// </summary>
    public void Prefetch(UInt128 fingerprint)
    {
        Slot[] slots = Volatile.Read(ref _slots);
        CacheHint.Prefetch(ref slots[(int)(ulong)fingerprint & (slots.Length - 1)]);
    }

    /// <summary>The route cached under <paramref name="fingerprint"/> (see <see cref="Fingerprint"/>).</summary>
    public bool TryGet(UInt128 fingerprint, [NotNullWhen(true)] out SeriesRoute? route) => TryGet(fingerprint, out route, out _);

    /// <summary>
    /// The route cached under <paramref name="fingerprint"/> and, where it feeds exactly one series, that
    /// series (<see cref="SeriesRoute.Only"/>), both read from the slot: storing into the usual route's
    /// series needs nothing of the route itself.
    /// </summary>
    public bool TryGet(UInt128 fingerprint, [NotNullWhen(true)] out SeriesRoute? route, out Series? only)
    {
        ulong low = (ulong)fingerprint, high = (ulong)(fingerprint >> 64);
        Slot[] slots = Volatile.Read(ref _slots);
        int mask = slots.Length - 1;
        for (int i = (int)low & mask; ; i = (i + 1) & mask)
        {
            ref Slot slot = ref slots[i];
            // The route is read first, with acquire semantics: a slot with a route has its fingerprint and series.
            route = Volatile.Read(ref slot.Route);
            only = null;
            if (route is null)
                return false;
            if (slot.Low == low && slot.High == high)
            {
                only = slot.Only;
                return true;
            }
        }
    }

    /// <summary>Caches <paramref name="route"/> for <paramref name="key"/> unless the key has a route already, or the table holds <paramref name="limit"/> routes.</summary>
    public void TryAdd(ReadOnlySpan<byte> key, SeriesRoute route, int limit)
    {
        UInt128 fingerprint = Fingerprint(key);
        lock (_write)
        {
            if (_count >= limit)
                return;
            if (2 * (_count + 1) > _slots.Length)
                Volatile.Write(ref _slots, Grown(_slots));
            if (Place(_slots, (ulong)fingerprint, (ulong)(fingerprint >> 64), route))
                Volatile.Write(ref _count, _count + 1);
        }
    }

    /// <summary>
    /// Drops every route <paramref name="drop"/> picks and returns them. The caller must hold every lookup
    /// and insert out (the store's exclusive lock): the slots move.
    /// </summary>
    public List<SeriesRoute> RemoveWhere(Func<SeriesRoute, bool> drop)
    {
        var dropped = new List<SeriesRoute>();
        lock (_write)
        {
            var kept = new Slot[_slots.Length];
            foreach (ref readonly Slot slot in _slots.AsSpan())
            {
                if (slot.Route is not { } route)
                    continue;
                if (drop(route))
                    dropped.Add(route);
                else
                    Place(kept, slot.Low, slot.High, route);
            }
            if (dropped.Count > 0)
            {
                _slots = kept;
                _count -= dropped.Count;
            }
        }
        return dropped;
    }

    /// <summary>Drops every route. Like <see cref="RemoveWhere"/>, not beside lookups.</summary>
    public void Clear()
    {
        lock (_write)
        {
            _slots = new Slot[InitialSlots];
            _count = 0;
        }
    }

    private static Slot[] Grown(Slot[] slots)
    {
        var next = new Slot[2 * slots.Length];
        foreach (ref readonly Slot slot in slots.AsSpan())
        {
            if (slot.Route is { } route)
                Place(next, slot.Low, slot.High, route);
        }
        return next;
    }

    // Under the write lock. False when the fingerprint has a slot already (the first route stays, as a
    // concurrent dictionary's TryAdd keeps the first value).
    private static bool Place(Slot[] slots, ulong low, ulong high, SeriesRoute route)
    {
        int mask = slots.Length - 1;
        for (int i = (int)low & mask; ; i = (i + 1) & mask)
        {
            ref Slot slot = ref slots[i];
            if (slot.Route is null)
            {
                slot.Low = low;
                slot.High = high;
                slot.Only = route.Only;
                Volatile.Write(ref slot.Route, route);
                return true;
            }
            if (slot.Low == low && slot.High == high)
                return false;
        }
    }
}
