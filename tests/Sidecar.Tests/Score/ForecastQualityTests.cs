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
