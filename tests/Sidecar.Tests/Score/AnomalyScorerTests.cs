using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class AnomalyScorerTests
{
    private static readonly AnomalySettings Settings = new(Sigmas: 3, ScaleSteps: 50, WarmupSteps: 10);

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void StaysZeroDuringWarmUp()
    {
        var scorer = new AnomalyScorer();
        for (int i = 0; i < Settings.WarmupSteps; i++)
            Assert.Equal(0, scorer.Score(i % 2 == 0 ? 100 : -100, 0, Settings));
    }

    [Fact]
    public void NormalNoiseScoresBelowOneAndAFiveSigmaSpikeAboveIt()
    {
        var random = new Random(1);
        var scorer = new AnomalyScorer();
        int above = 0;
        const int Steps = 5000;
        for (int i = 0; i < Steps; i++)
        {
            if (scorer.Score(2 * Gaussian(random), 100, Settings) > 1)
                above++;
        }
        // Beyond 3σ is 0.27% for a Gaussian; the EWMA's own noise widens that a little.
        Assert.InRange(above / (double)Steps, 0, 0.01);
        Assert.InRange(scorer.Sigma, 1.7, 2.3);
        double spike = scorer.Score(2 * 5, 100, Settings);
        Assert.InRange(spike, 1.4, 2.0);
    }

    [Fact]
    public void AFlatSeriesDoesNotScoreItsFirstWiggleAsInfinite()
    {
        var scorer = new AnomalyScorer();
        for (int i = 0; i < 20; i++)
            scorer.Score(0, 50, Settings);
        double score = scorer.Score(1e-3, 50, Settings);
        Assert.True(double.IsFinite(score));
    }

    [Fact]
    public void OneOutlierDoesNotMaskTheNext()
    {
        var random = new Random(2);
        var scorer = new AnomalyScorer();
        for (int i = 0; i < 500; i++)
            scorer.Score(Gaussian(random), 0, Settings);
        Assert.True(scorer.Score(1000, 0, Settings) > 1);
        Assert.True(scorer.Score(8, 0, Settings) > 1, "the clipped update keeps the scale near its old value");
    }
}
