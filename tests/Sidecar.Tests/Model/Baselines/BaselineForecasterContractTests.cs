using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

/// <summary>What every baseline promises through <see cref="IBaselineForecaster"/>.</summary>
public sealed class BaselineForecasterContractTests
{
    public static TheoryData<string> Names =>
    [
        SeasonalNaiveForecaster.ModelName,
        HoltWintersForecaster.ModelName,
        PredictLinearForecaster.ModelName,
        DoubleExponentialSmoothingForecaster.ModelName,
    ];

    private static IBaselineForecaster Create(string name) => name switch
    {
        SeasonalNaiveForecaster.ModelName => new SeasonalNaiveForecaster(4),
        HoltWintersForecaster.ModelName => new HoltWintersForecaster(4),
        PredictLinearForecaster.ModelName => new PredictLinearForecaster(4),
        DoubleExponentialSmoothingForecaster.ModelName => new DoubleExponentialSmoothingForecaster(4, 0.3, 0.1),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void TheNameIsALabelValue(string name)
    {
        Assert.Equal(name, Create(name).Name);
        Assert.Matches("^[a-z_]+$", name);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RejectsMismatchedSpansAndNegativeHorizons(string name)
    {
        var forecaster = Create(name);
        float[] history = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        Assert.Throws<ArgumentException>(() => forecaster.TryForecast(history, [1, 2], new float[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => forecaster.TryForecast(history, [-1], new float[1]));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void AnEmptyOrAllGapHistoryIsRefusedWithNaNForecasts(string name)
    {
        var forecaster = Create(name);
        float[] forecasts = [1, 2];
        Assert.False(forecaster.TryForecast([], [1, 2], forecasts));
        Assert.All(forecasts, f => Assert.True(float.IsNaN(f)));
        float[] gaps = Enumerable.Repeat(float.NaN, 12).ToArray();
        Assert.False(forecaster.TryForecast(gaps, [1], forecasts.AsSpan(0, 1)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void DoesNotAllocateOnceWarm(string name)
    {
        var forecaster = Create(name);
        float[] history = Enumerable.Range(0, 40).Select(i => (float)(i % 4 + 0.1 * i)).ToArray();
        int[] horizons = [0, 1, 5, 9];
        var forecasts = new float[horizons.Length];
        Assert.True(forecaster.TryForecast(history, horizons, forecasts));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
            forecaster.TryForecast(history, horizons, forecasts);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
