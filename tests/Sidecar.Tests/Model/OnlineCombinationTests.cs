using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class OnlineCombinationTests
{
    [Fact]
    public void MembersAreAveragedUntilEnoughOutcomesJudgeThem()
    {
        var combination = new OnlineCombination(members: 2, horizons: 1, window: 10, minimumOutcomes: 3);
        combination.Observe(0, [10f, 0f], 10f);
        combination.Observe(0, [10f, 0f], 10f);
        Assert.Equal(5f, combination.Combine(0, [10f, 0f]));
    }

    [Fact]
    public void EachMemberIsWeightedByTheInverseOfItsRecentMeanAbsoluteError()
    {
        var combination = new OnlineCombination(members: 2, horizons: 1, window: 4, minimumOutcomes: 1);
        // Member 0 is off by 1 each time, member 1 by 3: weights 1/1 and 1/3, so 3/4 and 1/4.
        for (int i = 0; i < 4; i++)
            combination.Observe(0, [101f, 97f], 100f);
        Assert.Equal([0.75, 0.25], combination.Weights(0), (a, b) => Math.Abs(a - b) < 1e-9);
        Assert.Equal(0.75f * 8 + 0.25f * 4, combination.Combine(0, [8f, 4f]), 1e-5f);
    }

    [Fact]
    public void SquaredWeightsFollowTheInverseMeanSquaredError()
    {
        var combination = new OnlineCombination(members: 2, horizons: 1, window: 4, minimumOutcomes: 1, squared: true);
        // Errors 1 and 3: weights 1/1 and 1/9, so 9/10 and 1/10.
        for (int i = 0; i < 4; i++)
            combination.Observe(0, [101f, 97f], 100f);
        Assert.Equal([0.9, 0.1], combination.Weights(0), (a, b) => Math.Abs(a - b) < 1e-9);
    }

    [Fact]
    public void OnlyTheLatestWindowOfOutcomesCounts()
    {
        var combination = new OnlineCombination(members: 2, horizons: 1, window: 3, minimumOutcomes: 1);
        // Member 0 was good for a long time, then turned bad; after a window it weighs what its new errors say.
        for (int i = 0; i < 50; i++)
            combination.Observe(0, [100f, 110f], 100f);
        for (int i = 0; i < 3; i++)
            combination.Observe(0, [130f, 110f], 100f);
        double[] weights = combination.Weights(0);
        Assert.Equal(1.0 / 30 / (1.0 / 30 + 1.0 / 10), weights[0], 1e-9);
    }

    [Fact]
    public void HorizonsAreJudgedApart()
    {
        var combination = new OnlineCombination(members: 2, horizons: 2, window: 5, minimumOutcomes: 1);
        combination.Observe(0, [1f, 5f], 1f);
        combination.Observe(1, [5f, 1f], 1f);
        Assert.True(combination.Weights(0)[0] > 0.99);
        Assert.True(combination.Weights(1)[1] > 0.99);
    }

    [Fact]
    public void GapsAndMissingForecastsAreNotCounted()
    {
        var combination = new OnlineCombination(members: 2, horizons: 1, window: 5, minimumOutcomes: 1);
        Assert.False(combination.Observe(0, [1f, 2f], float.NaN));
        Assert.False(combination.Observe(0, [float.NaN, 2f], 1f));
        Assert.Equal([0.5, 0.5], combination.Weights(0));
        Assert.True(float.IsNaN(combination.Combine(0, [float.NaN, 2f])));
    }
}
