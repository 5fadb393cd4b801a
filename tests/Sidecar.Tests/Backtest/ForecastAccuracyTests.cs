using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class ForecastAccuracyTests
{
    private static ForecastAccuracy Create() => new(["seasonal_naive", "lstm"], [1, 12], seasonSteps: 2);

    [Fact]
    public void SummarisesEachModelAndHorizonApartWithMaseFromTheTrainingScale()
    {
        var accuracy = Create();
        // Season 2 over 0, 1, 2, 3: every pair a season apart differs by 2, so the scale is 2.
        accuracy.TrainingScale.Observe([0, 1, 2, 3]);
        accuracy.AddPoint(model: 1, horizon: 1, actual: 10, forecast: 7);
        accuracy.AddPoint(model: 1, horizon: 1, actual: 10, forecast: 11);
        accuracy.AddInterval(model: 1, horizon: 1, actual: 10, lower: 9, upper: 12);
        accuracy.AddPoint(model: 0, horizon: 1, actual: 10, forecast: 0);

        var lstm = accuracy.Summarise(1, 1);
        Assert.Equal("lstm", lstm.Model);
        Assert.Equal(12, lstm.HorizonSteps);
        Assert.Equal(2, lstm.Count);
        Assert.Equal(2.0, lstm.MeanAbsoluteError, 1e-12);
        Assert.Equal(1.0, lstm.MeanAbsoluteScaledError, 1e-12);
        Assert.Equal(1, lstm.IntervalCount);
        Assert.Equal(1.0, lstm.IntervalCoverage, 1e-12);
        Assert.Equal(3.0, lstm.MeanIntervalWidth, 1e-12);

        var naive = accuracy.Summarise(0, 1);
        Assert.Equal(10.0, naive.MeanAbsoluteError, 1e-12);
        Assert.Equal(2.0, naive.SymmetricMeanAbsolutePercentageError, 1e-12);
        Assert.Equal(0, accuracy.Summarise(0, 0).Count);
    }

    [Fact]
    public void RejectsUnknownModelsAndHorizons()
    {
        var accuracy = Create();
        Assert.Throws<ArgumentOutOfRangeException>(() => accuracy.AddPoint(2, 0, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => accuracy.AddPoint(0, -1, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => accuracy.Summarise(0, 2));
        Assert.Throws<ArgumentException>(() => new ForecastAccuracy([], [1], 2));
    }

    [Fact]
    public void ScoringDoesNotAllocate()
    {
        var accuracy = Create();
        accuracy.AddPoint(0, 0, 1, 2);
        accuracy.AddInterval(0, 0, 1, 0, 2);
        accuracy.TrainingScale.Observe(1);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            accuracy.AddPoint(i % 2, i % 2, i, i + 1);
            accuracy.AddInterval(i % 2, i % 2, i, i - 1, i + 1);
            accuracy.TrainingScale.Observe(i);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
