using System.Globalization;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

public sealed class IdOrderTests
{
    private static Series[] Stored(int count)
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        return [.. Enumerable.Range(0, count).Select(i => target.Add(new LabelSet([new("__name__", "m"), new("i", i.ToString(CultureInfo.InvariantCulture))]), isCounter: false))];
    }

    // Every selection a step can close: all of the target (counted), most of it, a few series over a wide
    // range of ids (sorted), one, none; each in a shuffled order, through one IdOrder, so its kept buffers
    // serve a smaller step after a bigger one.
    [Theory]
    [InlineData(new[] { 1000, 700, 3, 1, 0, 999, 250 })]
    public void EverySelectionComesOutInIdOrderWithNothingLostOrRepeated(int[] takes)
    {
        Series[] all = Stored(1000);
        var order = new IdOrder();
        var random = new Random(5);
        foreach (int take in takes)
        {
            Series[] closed = [.. all.OrderBy(_ => random.Next()).Take(take)];
            Series[] expected = [.. closed.OrderBy(s => s.Id)];

            int[] ids = [.. closed.Select(s => s.Id)];

            order.Sort(closed, ids);

            Assert.Equal(expected, closed);
        }
    }

    [Fact]
    public void IdsThatDoNotStartAtZeroAreCountedFromTheLowest()
    {
        Series[] all = Stored(600);
        Series[] closed = [.. all.Skip(500).Reverse()];

        int[] ids = [.. closed.Select(s => s.Id)];

        new IdOrder().Sort(closed, ids);

        Assert.Equal(Enumerable.Range(500, 100), closed.Select(s => s.Id));
    }
}
