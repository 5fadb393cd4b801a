using System.Text;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

public sealed class RouteTableTests
{
    private static byte[] Key(int i) => Encoding.UTF8.GetBytes($"__name__\u0001node_cpu_seconds_total\u0001cpu\u0001{i}\u0001instance\u0001host-{i % 97}:9100");

    private static SeriesRoute Route(string reason) => SeriesRoute.Invalid(reason);

    [Fact]
    public void FindsEveryKeyItWasGivenAcrossGrowthAndNothingElse()
    {
        var table = new RouteTable();
        var routes = Enumerable.Range(0, 20_000).Select(i => Route($"r{i}")).ToArray();
        for (int i = 0; i < routes.Length; i++)
            table.TryAdd(Key(i), routes[i], limit: int.MaxValue);

        Assert.Equal(routes.Length, table.Count);
        for (int i = 0; i < routes.Length; i++)
        {
            Assert.True(table.TryGet(Key(i), out var found), $"key {i}");
            Assert.Same(routes[i], found);
        }
        for (int i = routes.Length; i < routes.Length + 1000; i++)
            Assert.False(table.TryGet(Key(i), out _));
        // A key that differs from a stored one in its last byte only is another key.
        byte[] near = Key(7);
        near[^1] ^= 1;
        Assert.False(table.TryGet(near, out _));
    }

    [Fact]
    public void ASlotGivesTheOnlySeriesOfItsRouteAcrossGrowthAndRemoval()
    {
        // Ingest stores into a route's one series straight from the slot, without loading the route: the
        // slot must carry that series wherever the route moves, and carry none for any other route.
        var table = new RouteTable();
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        Series Stored(int i) => target.Add(new LabelSet([new("__name__", "m"), new("i", i.ToString())]), isCounter: false);
        var routes = Enumerable.Range(0, 3_000).Select(i => (i % 3) switch
        {
            0 => SeriesRoute.To([Stored(i)]),
            1 => SeriesRoute.To([Stored(i), Stored(-i)]),
            _ => Route($"r{i}"),
        }).ToArray();
        for (int i = 0; i < routes.Length; i++)
            table.TryAdd(Key(i), routes[i], limit: int.MaxValue);
        table.RemoveWhere(r => r.InvalidReason is { } reason && int.Parse(reason[1..]) % 2 == 0);

        for (int i = 0; i < routes.Length; i++)
        {
            bool kept = table.TryGet(RouteTable.Fingerprint(Key(i)), out var found, out var only);
            Assert.Equal(i % 3 != 2 || i % 2 != 0, kept);
            if (!kept)
                continue;
            Assert.Same(routes[i], found);
            if (i % 3 == 0)
                Assert.Same(routes[i].Series[0], only);
            else
                Assert.Null(only);
        }
    }

    [Fact]
    public void TheFirstRouteOfAKeyStaysAndTheLimitHolds()
    {
        var table = new RouteTable();
        var first = Route("first");
        table.TryAdd(Key(1), first, limit: 2);
        table.TryAdd(Key(1), Route("second"), limit: 2);
        Assert.True(table.TryGet(Key(1), out var found));
        Assert.Same(first, found);
        Assert.Equal(1, table.Count);

        table.TryAdd(Key(2), Route("two"), limit: 2);
        table.TryAdd(Key(3), Route("three"), limit: 2);
        Assert.Equal(2, table.Count);
        Assert.True(table.TryGet(Key(2), out _));
        Assert.False(table.TryGet(Key(3), out _));
    }

    [Fact]
    public void RemovingDropsTheChosenRoutesAndKeepsTheRestFindable()
    {
        var table = new RouteTable();
        var routes = Enumerable.Range(0, 5_000).Select(i => Route($"r{i}")).ToArray();
        for (int i = 0; i < routes.Length; i++)
            table.TryAdd(Key(i), routes[i], limit: int.MaxValue);

        var dropped = table.RemoveWhere(r => int.Parse(r.InvalidReason![1..]) % 3 == 0);

        Assert.Equal(routes.Where((_, i) => i % 3 == 0), dropped.OrderBy(r => int.Parse(r.InvalidReason![1..])));
        Assert.Equal(routes.Length - dropped.Count, table.Count);
        for (int i = 0; i < routes.Length; i++)
        {
            bool found = table.TryGet(Key(i), out var route);
            Assert.Equal(i % 3 != 0, found);
            if (found)
                Assert.Same(routes[i], route);
        }
        // A dropped key can be cached again.
        table.TryAdd(Key(3), routes[3], limit: int.MaxValue);
        Assert.True(table.TryGet(Key(3), out var again));
        Assert.Same(routes[3], again);

        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGet(Key(1), out _));
    }

    [Fact]
    public async Task LookupsBesideInsertsFindTheRightRouteOrNone()
    {
        // Readers run while one writer grows the table from empty through several doublings: a lookup may
        // miss a key being inserted (the caller's slow path resolves it), but never returns another key's route.
        var table = new RouteTable();
        const int Keys = 50_000;
        var keys = Enumerable.Range(0, Keys).Select(Key).ToArray();
        var routes = Enumerable.Range(0, Keys).Select(i => Route($"r{i}")).ToArray();
        int wrong = 0, written = 0;
        using var done = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            var random = new Random(r);
            while (!done.IsCancellationRequested)
            {
                int bound = Volatile.Read(ref written);
                int i = random.Next(Keys);
                if (table.TryGet(keys[i], out var route) && !ReferenceEquals(route, routes[i]))
                    Interlocked.Increment(ref wrong);
                // A key written before this lookup began must be found.
                if (i < bound && !table.TryGet(keys[i], out _))
                    Interlocked.Increment(ref wrong);
            }
        })).ToArray();
        for (int i = 0; i < Keys; i++)
        {
            table.TryAdd(keys[i], routes[i], limit: int.MaxValue);
            Volatile.Write(ref written, i + 1);
        }
        done.Cancel();
        await Task.WhenAll(readers);
        Assert.Equal(0, wrong);
        Assert.Equal(Keys, table.Count);
    }
}
