using System.Globalization;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

/// <summary>
/// <see cref="ClosedIds"/> and <see cref="TargetStore.TakeClosed"/>: every series notified between two takes
/// comes out of the second, once, in id order, whatever order and however often it was notified; growth
/// and receivers marking meanwhile lose no notice; a forgotten series is left out.
/// </summary>
public sealed class ClosedIdsTests
{
    private static LabelSet Labels(int i) => new([new("__name__", "m"), new("i", i.ToString(CultureInfo.InvariantCulture))]);

    // Every selection a step can close: all of the target, most of it, a few, one, none; each notified in a
    // shuffled order and some twice, through one store.
    [Theory]
    [InlineData(new[] { 1000, 700, 3, 1, 0, 999, 250 })]
    public void EverySelectionComesOutInIdOrderWithNothingLostOrRepeated(int[] takes)
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        Series[] all = [.. Enumerable.Range(0, 1000).Select(i => target.Add(Labels(i), isCounter: false))];
        var random = new Random(5);
        foreach (int take in takes)
        {
            Series[] closed = [.. all.OrderBy(_ => random.Next()).Take(take)];
            foreach (Series series in closed.Concat(closed.Where(_ => random.Next(3) == 0)))
                target.NotifyClosed(series);
            List<Series> taken = [];
            List<int> ids = [];

            target.TakeClosed(taken, ids);

            Assert.Equal(closed.OrderBy(s => s.Id), taken);
            Assert.Equal(taken.Select(s => s.Id), ids);
        }
        List<Series> none = [];
        target.TakeClosed(none, []);
        Assert.Empty(none);
    }

    [Fact]
    public void AForgottenSeriesIsLeftOutAndANewOneWithItsIdIsNot()
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        Series[] all = [.. Enumerable.Range(0, 5).Select(i => target.Add(Labels(i), isCounter: false))];
        foreach (Series series in all)
            target.NotifyClosed(series);
        target.Forget(all[1]);
        target.Forget(all[3]);
        Series reuses = target.Add(Labels(99), isCounter: false); // takes the lowest free id, 1
        List<Series> taken = [];
        List<int> ids = [];

        target.TakeClosed(taken, ids);

        Assert.Equal(1, reuses.Id);
        Assert.Equal([all[0], reuses, all[2], all[4]], taken);
        Assert.Equal([0, 1, 2, 4], ids);
    }

    [Fact]
    public void MarksMadeBeforeGrowthAreTakenAfterIt()
    {
        var closed = new ClosedIds();
        closed.EnsureIds(10);
        closed.Mark(3);
        closed.Mark(9);
        closed.EnsureIds(5000); // a second block
        closed.Mark(4999);
        closed.Mark(9);
        List<int> ids = [];

        closed.Take(ids);

        Assert.Equal([3, 9, 4999], ids);
    }

    [Fact]
    public void ReceiversMarkingWhileTheArrayGrowsAndIsTakenLoseNoMark()
    {
        // Four receivers each mark their own ids once, in a random order, while the loop takes and grows the
        // bits over and over (growth and takes are serialised, as the store's lock does): every mark is taken
        // once, none is lost or made up. Bounded: the receivers stop by themselves.
        const int Receivers = 4, IdsEach = 50_000;
        var closed = new ClosedIds();
        closed.EnsureIds(Receivers * IdsEach);
        var taken = new List<int>();
        int capacity = Receivers * IdsEach;
        using var done = new CountdownEvent(Receivers);
        for (int r = 0; r < Receivers; r++)
        {
            int receiver = r;
            new Thread(() =>
            {
                var random = new Random(receiver);
                foreach (int i in Enumerable.Range(0, IdsEach).OrderBy(_ => random.Next()))
                    closed.Mark(receiver * IdsEach + i);
                done.Signal();
            }) { IsBackground = true }.Start();
        }
        while (!done.IsSet)
        {
            closed.Take(taken);
            capacity += 4096;
            closed.EnsureIds(capacity);
        }
        closed.Take(taken);

        Assert.Equal(Enumerable.Range(0, Receivers * IdsEach), taken.Order());
    }
}
