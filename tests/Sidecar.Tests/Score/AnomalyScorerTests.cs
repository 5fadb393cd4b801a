using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class AnomalyScorerTests
{
    private static readonly AnomalySettings Settings = new(Sigmas: 3, ScaleSteps: 50, WarmupSteps: 10);
    private const double NoInterval = double.NaN;

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static AnomalyScorer Warm(AnomalySettings settings)
    {
        var scorer = new AnomalyScorer();
        for (int i = 0; i < settings.WarmupSteps; i++)
            scorer.Score(0, 100, 1, 1, settings);
        return scorer;
    }

    [Fact]
    public void StaysZeroDuringWarmUp()
    {
        var scorer = new AnomalyScorer();
        for (int i = 0; i < Settings.WarmupSteps; i++)
            Assert.Equal(0, scorer.Score(i % 2 == 0 ? 100 : -100, 0, 1, 1, Settings));
    }

    [Fact]
    public void OneIsTheEdgeOfTheIntervalOnTheResidualsSide()
    {
        var scorer = Warm(Settings);
        Assert.Equal(1, scorer.Score(4, 100, lowerGap: 2, upperGap: 4, Settings), 6);
        Assert.Equal(1, scorer.Score(-2, 100, lowerGap: 2, upperGap: 4, Settings), 6);
        Assert.Equal(0.5, scorer.Score(2, 100, lowerGap: 2, upperGap: 4, Settings), 6);
        Assert.Equal(3, scorer.Score(-6, 100, lowerGap: 2, upperGap: 4, Settings), 6);
    }

    [Fact]
    public void WithoutAnIntervalNoiseScoresBelowOneAndAFiveSigmaSpikeAboveIt()
    {
        var random = new Random(1);
        var scorer = new AnomalyScorer();
        int above = 0;
        const int Steps = 5000;
        for (int i = 0; i < Steps; i++)
        {
            if (scorer.Score(2 * Gaussian(random), 100, NoInterval, NoInterval, Settings) > 1)
                above++;
        }
        // Beyond 3σ is 0.27% for a Gaussian; the EWMA's own noise widens that a little.
        Assert.InRange(above / (double)Steps, 0, 0.01);
        Assert.InRange(scorer.Sigma, 1.7, 2.3);
        Assert.InRange(scorer.Score(2 * 5, 100, NoInterval, NoInterval, Settings), 1.4, 2.0);
    }

    [Fact]
    public void AResidualBelowTheMinimumDeviationNeverScoresAboveOne()
    {
        var settings = Settings with { MinDeviation = 0.5, MinRelativeDeviation = 0.01 };
        var scorer = Warm(settings);
        // The interval of a flat series is tiny; without the floors this would score 100 and 400.
        Assert.True(scorer.Score(0.4, 10, 0.001, 0.001, settings) < 1);
        Assert.True(scorer.Score(0.7, 80, 0.001, 0.001, settings) < 1, "1% of 80 is 0.8, the relative floor");
        Assert.True(scorer.Score(0.9, 80, 0.001, 0.001, settings) > 1);
        Assert.True(scorer.Score(5, 80, 0.001, 0.001, settings) > 1);
    }

    [Theory]
    [InlineData("Above", 3, 0)]
    [InlineData("Below", 0, 3)]
    [InlineData("Both", 3, 3)]
    public void DirectionKeepsOnlyOneSide(string direction, double up, double down)
    {
        var settings = Settings with { Direction = Enum.Parse<AnomalyDirection>(direction) };
        var scorer = Warm(settings);
        Assert.Equal(up, scorer.Score(3, 100, 1, 1, settings), 6);
        Assert.Equal(down, scorer.Score(-3, 100, 1, 1, settings), 6);
    }

    [Fact]
    public void ASustainedShiftScoresHigherThanASingleStepOfTheSameSize()
    {
        var settings = Settings with { ShiftSteps = 6 };
        var single = Warm(settings);
        double one = single.Score(0.6, 100, 1, 1, settings);
        Assert.True(one < 1, $"one step at 0.6 of the interval: {one}");

        var sustained = Warm(settings);
        double last = 0;
        for (int i = 0; i < 12; i++)
            last = sustained.Score(0.6, 100, 1, 1, settings);
        Assert.True(last > 1, $"twelve steps at 0.6 of the interval: {last}");

        // Noise around zero rarely adds up to a shift: shift scoring at most doubles the false alarms.
        int FalseAlarms(AnomalySettings s)
        {
            var random = new Random(3);
            var noise = Warm(s);
            int above = 0;
            for (int i = 0; i < 5000; i++)
            {
                if (noise.Score(0.4 * Gaussian(random), 100, 1, 1, s) > 1)
                    above++;
            }
            return above;
        }
        int singleOnly = FalseAlarms(settings with { ShiftSteps = 0 });
        Assert.InRange(FalseAlarms(settings), singleOnly, 2 * singleOnly + 10);
    }

    [Fact]
    public void OneOutlierDoesNotMaskTheNext()
    {
        var random = new Random(2);
        var scorer = new AnomalyScorer();
        for (int i = 0; i < 500; i++)
            scorer.Score(Gaussian(random), 0, NoInterval, NoInterval, Settings);
        Assert.True(scorer.Score(1000, 0, NoInterval, NoInterval, Settings) > 1);
        Assert.True(scorer.Score(8, 0, NoInterval, NoInterval, Settings) > 1, "the clipped update keeps the scale near its old value");
    }
}
