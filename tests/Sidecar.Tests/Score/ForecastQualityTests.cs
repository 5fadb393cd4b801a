using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class ForecastQualityTests
{
    [Fact]
    public void ScoresEachForecastWhenItsOutcomeArrives()
    {
        var quality = new ForecastQuality([1, 3], sampledSeries: 10);
        // A series rising by 1 per step; forecasts off by +2 at one step and -3 at three steps, interval ±2.5.
        for (long step = 0; step < 50; step++)
        {
            quality.Observe(0, step, step);
            quality.Record(0, step, [step + 1 - 0.5f, step + 1 + 2, step + 1 + 4.5f, step + 3 - 5.5f, step + 3 - 3, step + 3 - 0.5f]);
        }
        Assert.Equal(2, quality.MeanAbsoluteError(0), 6);
        Assert.Equal(3, quality.MeanAbsoluteError(1), 6);
        // The naive one-step error is 1, so MASE equals MAE here.
        Assert.Equal(2, quality.MeanAbsoluteScaledError(0), 6);
        Assert.Equal(1, quality.Coverage(0), 6);
        Assert.Equal(0, quality.Coverage(1), 6);
        Assert.Equal(49, quality.Outcomes(0));
        Assert.Equal(47, quality.Outcomes(1));
    }

    [Fact]
    public void TheRollingErrorIsTheExactMeanForItsFirstThousandOutcomesThenFadesByTwoOverTwoThousandAndOne()
    {
        // Past its first thousand outcomes the ledger stops dividing by the count (1 / count is then
        // below the fading weight): the means must be those of the formula to the last bit all the same.
        var quality = new ForecastQuality([1], sampledSeries: 1);
        var random = new Random(5);
        double expected = double.NaN;
        for (long step = 0; step < 3_000; step++)
        {
            quality.Observe(0, step, step);
            if (step > 0)
            {
                Assert.Equal(expected, quality.MeanAbsoluteError(0));
                Assert.Equal(step, quality.Outcomes(0));
            }
            float error = MathF.Round(random.NextSingle() * 8 - 4, 3);
            quality.Record(0, step, [float.NaN, step + 1 + error, float.NaN]);
            // What the outcome at the next step adds: |error| as the forecast was kept (a float median).
            double x = Math.Abs(step + 1 - (step + 1 + error));
            long count = step + 1;
            expected = count == 1 ? x : expected + Math.Max(2 / 2001.0, 1.0 / count) * (x - expected);
        }
    }

    [Fact]
    public void IgnoresSeriesOutsideTheSampleAndForecastsOverwrittenBeforeTheirOutcome()
    {
        var quality = new ForecastQuality([2], sampledSeries: 1);
        quality.Record(5, 0, [0, 1, 2]);
        quality.Observe(5, 2, 1);
        Assert.Equal(0, quality.Outcomes(0));
        quality.Record(0, 0, [0, 10, 20]);
        quality.Observe(0, 3, 10); // not the step the forecast was for
        Assert.Equal(0, quality.Outcomes(0));
        quality.Observe(0, 2, 12);
        Assert.Equal(2, quality.MeanAbsoluteError(0), 6);
        Assert.Equal(1, quality.Coverage(0));
        Assert.True(double.IsNaN(quality.MeanAbsoluteScaledError(0)), "no naive error yet: no MASE");
    }

    [Fact]
    public void ALongHorizonKeepsEveryForecastUntilItsOutcomeAndAForgottenSeriesKeepsNone()
    {
        var quality = new ForecastQuality([60], sampledSeries: 2);
        for (long step = 0; step < 100; step++)
        {
            quality.Observe(1, step, 1);
            quality.Record(1, step, [0, 1, 2]);
        }
        // The forecasts made at steps 0 to 39 were for steps 60 to 99: sixty more waited meanwhile.
        Assert.Equal(40, quality.Outcomes(0));

        quality.Forget(1);
        for (long step = 100; step < 120; step++)
            quality.Observe(1, step, 1);
        Assert.Equal(40, quality.Outcomes(0));
    }
}
