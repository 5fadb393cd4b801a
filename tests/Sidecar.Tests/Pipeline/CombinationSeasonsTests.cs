using Sidecar.Model.Baselines;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The Holt-Winters models of <c>model.combine</c> keep their offsets in one table per target, a column per
/// series id (<see cref="HoltWintersSeasons"/>): a step over many series must filter and forecast with each
/// exactly as that series' model alone would.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class CombinationSeasonsTests
{
    private const int DaySteps = 1440;

    private static HoltWintersModel Fitted(int seed, int nextPhase)
    {
        var random = new Random(seed);
        double[] offsets = [.. Enumerable.Range(0, DaySteps).Select(i => 8 * Math.Sin(2 * Math.PI * i / DaySteps + seed) + random.NextDouble())];
        return new HoltWintersModel(0.3, 0.02, 0.25, 50 + seed, 0.001 * seed, offsets, nextPhase, 1);
    }

    [Fact]
    public void EverySeriesModelInTheTargetsTableFiltersAndForecastsAsItsOwnModelAlone()
    {
        // Seventy series: two blocks of the table, the second part full. Each gets a model fitted a few steps
        // back, at a phase of its own, so the pipeline catches each up from the history, then feeds it a step at
        // a time; its twin, kept apart, is fed the same values from the series' history.
        const int Count = 70;
        using var target = new SteppedTarget(Count);
        target.Step();
        Series[] series = target.Series();
        var twins = new Dictionary<Series, (HoltWintersModel Model, long FittedThrough)>();
        foreach (Series one in series)
        {
            long last = one.LastClosedStepAt(target.NowMs);
            long fittedThrough = last - 1 - one.Id % 5;
            HoltWintersModel model = Fitted(one.Id, nextPhase: 37 * one.Id % DaySteps);
            twins[one] = (model.Clone(), fittedThrough);
            target.Pipeline.Combinations.Publish(one, model, fittedThrough);
        }
        for (int i = 0; i < 30; i++)
            target.Step();
        Assert.Equal(2, target.Pipeline.Combinations.SeasonBlocks);
        foreach (Series one in series)
        {
            var combination = target.Pipeline.StateForTests(one)!.Combination!;
            HoltWintersModel served = combination.Model!;
            var (twin, fittedThrough) = twins[one];
            var values = new float[combination.ModelStep - fittedThrough];
            one.CopyHistory(combination.ModelStep, values);
            foreach (float value in values)
                twin.Observe(value);
            Assert.Equal((int)((combination.ModelStep + 1) % DaySteps), served.NextPhase);
            for (int ahead = 1; ahead <= DaySteps + 1; ahead++)
                Assert.True(twin.Forecast(ahead).Equals(served.Forecast(ahead)), $"series {one.Id}, {ahead} ahead: {served.Forecast(ahead)} where {twin.Forecast(ahead)}");
        }
    }
}
