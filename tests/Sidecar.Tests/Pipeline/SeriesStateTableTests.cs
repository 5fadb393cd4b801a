using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The pipeline's states by series id: a series keeps its state from step to step, a newer series that takes
/// a forgotten one's id gets a fresh state (the old one handed to the drop first), and the sweep's record of
/// which series a pass found current holds for that pass only.
/// </summary>
public sealed class SeriesStateTableTests
{
    private static LabelSet Labels(int i) => new([new("__name__", "m"), new("i", i.ToString())]);

    [Fact]
    public void ASeriesKeepsItsStateAndANewSeriesWithItsIdGetsAFreshOne()
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        var dropped = new List<SeriesState>();
        var table = new SeriesStateTable(dropped.Add);
        Series first = target.Add(Labels(0), isCounter: false), second = target.Add(Labels(1), isCounter: false);

        SeriesState state = table.StateOf(second);
        state.ProcessedStep = 7;
        Assert.Same(state, table.StateOf(second));
        Assert.Same(state, table.StateIfCurrent(second));
        Assert.Null(table.StateIfCurrent(first)); // no state made for it yet
        Assert.Equal(second.Id + 1, table.Count);

        target.Forget(second);
        Series successor = target.Add(Labels(2), isCounter: false);
        Assert.Equal(second.Id, successor.Id);
        Assert.Null(table.StateIfCurrent(successor));
        SeriesState fresh = table.StateOf(successor);

        Assert.NotSame(state, fresh);
        Assert.Equal(long.MinValue, fresh.ProcessedStep);
        Assert.Equal([state], dropped);
        Assert.Same(fresh, table[successor.Id]);
        Assert.Null(table.StateIfCurrent(second));
    }

    [Fact]
    public void RemoveClearsAnIdOnlyWhileTheStateStillHoldsIt()
    {
        var target = new TargetStore(TestSettings.SmallTarget().Targets[0]);
        var table = new SeriesStateTable(_ => { });
        Series series = target.Add(Labels(0), isCounter: false);
        SeriesState old = table.StateOf(series);
        target.Forget(series);
        Series successor = target.Add(Labels(1), isCounter: false);
        SeriesState current = table.StateOf(successor);

        table.Remove(old); // the id is the successor's now
        Assert.Same(current, table[successor.Id]);
        table.Remove(current);
        Assert.Null(table[successor.Id]);
    }

    [Fact]
    public void ASeriesNotedCurrentIsCurrentForThatPassOnly()
    {
        var table = new SeriesStateTable(_ => { });
        table.BeginPass();
        table.NoteCurrent(3);
        table.NoteCurrent(1000); // beyond what the record held: it grows
        Assert.True(table.CurrentInPass(3));
        Assert.True(table.CurrentInPass(1000));
        Assert.False(table.CurrentInPass(4));
        Assert.False(table.CurrentInPass(5000));

        table.BeginPass();
        Assert.False(table.CurrentInPass(3));
        Assert.False(table.CurrentInPass(1000));
    }
}
