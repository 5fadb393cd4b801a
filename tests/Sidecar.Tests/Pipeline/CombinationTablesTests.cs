using Sidecar.Model.Baselines;
using Sidecar.Score;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// <c>model.combine</c>'s state lives in tables per target, by series id: the Holt-Winters' offsets
/// (<see cref="HoltWintersSeasons"/>) and the combination's judging (<see cref="CombinationRows"/>). A step over
/// many series must filter, judge and forecast with each exactly as that series' state alone would, and a
/// restart must put each series' saved state back in its rows.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class CombinationTablesTests
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
        Assert.Equal(2, target.Pipeline.Combinations.JudgingBlocks);
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

    private static byte[] Saved(ForecastCombination combination) => SavedBytes.Of(combination.WriteTo);

    [Fact]
    public void ARestartedPipelinePutsEachSavedCombinationInItsRowsAndGoesOnAsTheOneThatSavedIt()
    {
        // Two targets over the same values and the same network: the first combines from its fifth step and
        // saves its scoring state after thirty; the second, which has combined nothing, takes that state in
        // and both step on. Each series' combination must then be the same in both, to the byte.
        const int Count = 70;
        using var running = new SteppedTarget(Count);
        using var restarted = new SteppedTarget(Count);
        for (int i = 0; i < 5; i++)
        {
            running.Step();
            restarted.Step();
        }
        foreach (Series one in running.Series())
            running.Pipeline.Combinations.Publish(one, Fitted(one.Id, nextPhase: 11 * one.Id % DaySteps), one.LastClosedStepAt(running.NowMs) - one.Id % 3);
        for (int i = 0; i < 30; i++)
        {
            running.Step();
            restarted.Step();
        }
        restarted.Pipeline.SeedScores(running.Pipeline.ExportScores());
        Assert.Equal(0, restarted.Pipeline.Combinations.JudgingBlocks);
        for (int i = 0; i < 20; i++)
        {
            running.Step();
            restarted.Step();
        }
        Assert.Equal(2, restarted.Pipeline.Combinations.JudgingBlocks);
        Assert.Equal(2, restarted.Pipeline.Combinations.SeasonBlocks);
        foreach (var (one, other) in running.Series().Zip(restarted.Series()))
        {
            var combination = running.Pipeline.StateForTests(one)!.Combination!;
            Assert.True(combination.LstmWeight(0) != 0.5 || combination.LstmWeight(1) != 0.5, $"series {one.Id}: weights never moved");
            Assert.Equal(Saved(combination), Saved(restarted.Pipeline.StateForTests(other)!.Combination!));
        }
    }
}
