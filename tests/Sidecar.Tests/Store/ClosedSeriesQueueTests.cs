using System.Globalization;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

public sealed class ClosedSeriesQueueTests
{
    [Fact]
    public void SeriesQueuedFromManyThreadsWhileTheLoopTakesThemAreEachTakenOnceWithTheirIds()
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        Series[] all = [.. Enumerable.Range(0, 40_000).Select(i => target.Add(new LabelSet([new("__name__", "m"), new("i", i.ToString(CultureInfo.InvariantCulture))]), isCounter: false))];
        // Four receivers queue their quarter of the series twice over, as two steps closing; the second
        // time only those already taken (mark cleared) are queued again.
        using var start = new Barrier(5);
        var receivers = Enumerable.Range(0, 4).Select(r => new Thread(() =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 2; round++)
            {
                for (int i = r; i < all.Length; i += 4)
                    target.NotifyClosed(all[i]);
            }
        })).ToList();
        receivers.ForEach(t => t.Start());
        var taken = new int[all.Length];
        var spare = new List<ClosedSeries>();
        start.SignalAndWait();
        bool receiving = true;
        while (receiving)
        {
            receiving = receivers.Any(t => t.IsAlive);
            List<ClosedSeries> closed = target.TakeClosed(spare);
            foreach (var (series, id) in closed)
            {
                Assert.Same(all[id], series);
                taken[id]++;
                series.ClearQueued();
            }
            closed.Clear();
            spare = closed;
        }
        Assert.All(receivers, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Assert.Empty(target.TakeClosed([]));
        // Queued once or twice (twice where the loop took it between the rounds), never lost, never more.
        Assert.All(taken, count => Assert.InRange(count, 1, 2));
        Assert.Throws<ArgumentException>(() => target.TakeClosed([new ClosedSeries(all[0], 0)]));
    }
}
