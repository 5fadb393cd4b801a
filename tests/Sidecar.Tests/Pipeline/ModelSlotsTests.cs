using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Pipeline;
using Sidecar.Store;
using Sidecar.Tests.Support;
using TorchSharp;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The models serving a target: each model swapped in gets a new generation and disposes the one it replaces,
/// a series is served by its own model where it has one and by the target's otherwise, and nothing published
/// to a retired pipeline is kept (the training thread may publish while a reload retires it).
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class ModelSlotsTests
{
    private static readonly TargetSettings Settings = TestSettings.SmallTarget().Targets[0];

    private static TrainedModel Model() => Sidecar.Bench.UntrainedModel.For(Settings, 4, 1);

    // Disposing a model disposes its weights; a weight taken beforehand tells.
    private static torch.Tensor AWeightOf(TrainedModel model) => model.Network.parameters().First();

    [Fact]
    public void EachSwapInIsANewGenerationAndDisposesTheModelItReplaces()
    {
        using var slots = new ModelSlots();
        TrainedModel first = Model(), second = Model();
        torch.Tensor firstWeight = AWeightOf(first), secondWeight = AWeightOf(second);

        ModelSlot a = slots.SwapIn(first, seriesKey: null);
        ModelSlot b = slots.SwapIn(second, seriesKey: null);

        Assert.Same(b, slots.Target);
        Assert.True(b.Generation > a.Generation);
        Assert.True(firstWeight.IsInvalid);
        Assert.False(secondWeight.IsInvalid);
    }

    [Fact]
    public void ASeriesIsServedByItsOwnModelWhereItHasOneAndByTheTargetsOtherwise()
    {
        var target = new TargetStore(Settings);
        SeriesState own = new(target.Add(new LabelSet([new("__name__", "m"), new("i", "0")]), isCounter: false));
        SeriesState other = new(target.Add(new LabelSet([new("__name__", "m"), new("i", "1")]), isCounter: false));
        using var slots = new ModelSlots();
        Assert.Null(slots.For(own));

        ModelSlot whole = slots.SwapIn(Model(), seriesKey: null);
        TrainedModel ownModel = Model();
        torch.Tensor ownWeight = AWeightOf(ownModel);
        ModelSlot its = slots.SwapIn(ownModel, own.Key);
        Assert.Same(its, slots.For(own));
        Assert.Same(whole, slots.For(other));
        Assert.Equal(0, its.StateIndex(own.Series.Id));

        slots.DropSeries(own.Key);
        Assert.Same(whole, slots.For(own));
        Assert.True(ownWeight.IsInvalid);
    }

    [Fact]
    public void PublishedModelsWaitUntilTakenAndNoneIsKeptAfterRetirement()
    {
        var slots = new ModelSlots();
        TrainedModel waiting = Model(), untaken = Model(), late = Model();
        torch.Tensor untakenWeight = AWeightOf(untaken), lateWeight = AWeightOf(late);
        slots.Publish(waiting, "series");
        slots.Publish(untaken, null);

        Assert.True(slots.TryTakePublished(out var taken));
        Assert.Same(waiting, taken.Model);
        Assert.Equal("series", taken.SeriesKey);
        slots.SwapIn(taken.Model, taken.SeriesKey);

        slots.Retire();
        Assert.True(slots.Retired);
        slots.Publish(late, null); // the training thread, after a reload retired the pipeline
        Assert.True(lateWeight.IsInvalid);

        slots.Dispose(); // the one still waiting goes with the rest
        Assert.True(untakenWeight.IsInvalid);
        Assert.False(slots.TryTakePublished(out _));
    }
}
