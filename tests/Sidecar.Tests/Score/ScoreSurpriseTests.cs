using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class ScoreSurpriseTests
{
    [Fact]
    public void ANoisySeriesSurprisesOnlyBeyondItsUsualNoise()
    {
        var random = new Random(3);
        var surprise = new ScoreSurprise();
        double highest = 0;
        for (int i = 0; i < 1000; i++)
        {
            // Often above 1: a noisy series whose plain score would keep paging.
            double score = 0.5 + 1.5 * random.NextDouble();
            double value = surprise.Observe(score, windowSteps: 288);
            if (i >= 288)
                highest = Math.Max(highest, value);
        }
        Assert.InRange(highest, 0.1, 2.5);
        Assert.True(surprise.Observe(10, 288) > 15);
    }

    [Fact]
    public void AQuietSeriesSurprisesAtItsFirstDepartureButNotInfinitely()
    {
        var surprise = new ScoreSurprise();
        for (int i = 0; i < 100; i++)
            Assert.Equal(0, surprise.Observe(0, windowSteps: 40));
        // Spread 0 is taken as MinSpread: a score of 1 is 10 spreads above the mean.
        Assert.Equal(1 / ScoreSurprise.MinSpread, surprise.Observe(1, 40), 6);
    }

    [Fact]
    public void WarmsUpOverAQuarterOfTheWindowAndNeverGoesNegative()
    {
        var surprise = new ScoreSurprise();
        for (int i = 0; i < 10; i++)
            Assert.Equal(0, surprise.Observe(i % 2 == 0 ? 5 : 0, windowSteps: 40));
        Assert.True(surprise.Observe(50, 40) > 0);
        Assert.Equal(0, surprise.Observe(0, 40));
    }
}
