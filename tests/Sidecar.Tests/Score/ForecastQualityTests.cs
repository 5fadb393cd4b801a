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

        // A new series under the id: what waited for steps 100 to 159 went with the old one.
        quality.Forget(1);
        for (long step = 100; step < 120; step++)
        {
            quality.Observe(1, step, 1);
            quality.Record(1, step, [0, 1, 2]);
        }
        Assert.Equal(40, quality.Outcomes(0));
    }

    [Fact]
    public void SeriesStoredSideBySideKeepTheirOwnForecastsAndNaiveErrorsAndForgettingOneLeavesTheOthers()
    {
        // 130 followed series fill two tiles of 64 and start a third; each alone in a ledger of its own gives the same figures.
        const int Series = 130;
        var together = new ForecastQuality([1, 5], sampledSeries: Series);
        var alone = Enumerable.Range(0, Series).Select(_ => new ForecastQuality([1, 5], sampledSeries: 1)).ToArray();
        for (long step = 0; step < 40; step++)
        {
            for (int id = 0; id < Series; id++)
            {
                // Series start forecasting at different steps, and one is forgotten half-way and starts again.
                if (step < id % 7)
                    continue;
                if (id == 65 && step == 20)
                {
                    together.Forget(id);
                    alone[id].Forget(0);
                }
                float actual = (float)Math.Sin(id + step * 0.3) * (id + 1);
                together.Observe(id, step, actual);
                alone[id].Observe(0, step, actual);
                float[] forecast = [actual - 1, actual + 0.1f * id, actual + 1, actual - 2, actual, actual + 2];
                together.Record(id, step, forecast);
                alone[id].Record(0, step, forecast);
            }
        }
        for (int h = 0; h < 2; h++)
        {
            Assert.Equal(alone.Sum(q => q.Outcomes(h)), together.Outcomes(h));
            Assert.True(together.Outcomes(h) > Series * 30);
        }
        // The rolling means weigh outcomes by their order, so only their counts compare exactly; the covered
        // share comes near the outcome-weighted mean of the series' own.
        double coveredAlone = alone.Sum(q => q.Coverage(0) * q.Outcomes(0)) / alone.Sum(q => q.Outcomes(0));
        Assert.Equal(coveredAlone, together.Coverage(0), 2);
    }
}
