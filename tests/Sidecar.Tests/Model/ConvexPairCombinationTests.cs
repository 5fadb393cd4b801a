using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class ConvexPairCombinationTests
{
    [Fact]
    public void TheMembersAreHalvedUntilEnoughOutcomesJudgeThem()
    {
        var combination = new ConvexPairCombination(horizons: 1, window: 10, minimumOutcomes: 3);
        combination.Observe(0, [10f, 0f], 10f);
        Assert.Equal(0.5f, combination.Weight(0));
        Assert.Equal(5f, combination.Combine(0, [10f, 0f]));
    }

    [Fact]
    public void ErrorsOnTheSameSideMakeTheBetterMemberTakeEverything()
    {
        // Both overshoot, by 1 and by 2: inverse-error weights would still give the worse member a third;
        // the best mix is the better member alone.
        var combination = new ConvexPairCombination(horizons: 1, window: 5, minimumOutcomes: 1);
        for (int i = 0; i < 5; i++)
            combination.Observe(0, [101f, 102f], 100f);
        Assert.Equal(1f, combination.Weight(0));
        Assert.Equal(7f, combination.Combine(0, [7f, 3f]));
    }

    [Fact]
    public void ErrorsOnOppositeSidesCancelInTheMix()
    {
        // Off by +2 and by -1: a third of the first and two thirds of the second is exact; the grid's nearest is 0.3.
        var combination = new ConvexPairCombination(horizons: 1, window: 5, minimumOutcomes: 1);
        for (int i = 0; i < 5; i++)
            combination.Observe(0, [102f, 99f], 100f);
        Assert.Equal(0.3f, combination.Weight(0), 1e-6f);
    }

    [Fact]
    public void OnlyTheLatestWindowCountsAndHorizonsAreJudgedApart()
    {
        var combination = new ConvexPairCombination(horizons: 2, window: 3, minimumOutcomes: 1);
        for (int i = 0; i < 50; i++)
            combination.Observe(0, [100f, 110f], 100f);
        for (int i = 0; i < 3; i++)
            combination.Observe(0, [130f, 100f], 100f);
        combination.Observe(1, [100f, 110f], 100f);
        Assert.Equal(0f, combination.Weight(0));
        Assert.Equal(1f, combination.Weight(1));
    }

    [Fact]
    public void AMissingForecastOrOutcomeIsNotCounted()
    {
        var combination = new ConvexPairCombination(horizons: 1, window: 5, minimumOutcomes: 1);
        Assert.False(combination.Observe(0, [float.NaN, 1f], 1f));
        Assert.False(combination.Observe(0, [1f, 1f], float.NaN));
        Assert.Equal(0.5f, combination.Weight(0));
        Assert.True(float.IsNaN(combination.Combine(0, [float.NaN, 1f])));
    }
}
