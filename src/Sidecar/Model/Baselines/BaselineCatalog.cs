namespace Sidecar.Model.Baselines;

/// <summary>The baselines by name, built for a target's step: one place that knows their parameters.</summary>
internal static class BaselineCatalog
{
    /// <summary>PromQL's <c>holt_winters(v, 0.3, 0.1)</c> smoothing and trend factors.</summary>
    public const double SmoothingFactor = 0.3, TrendFactor = 0.1;

    public static readonly IReadOnlyList<string> Names =
    [
        SeasonalNaiveForecaster.ModelName,
        HoltWintersForecaster.ModelName,
        PredictLinearForecaster.ModelName,
        DoubleExponentialSmoothingForecaster.ModelName,
    ];

    /// <param name="rangeSteps">The range of the two PromQL baselines, in steps.</param>
    public static IBaselineForecaster Create(string name, long stepMs, int rangeSteps)
    {
        int daySteps = (int)Math.Max(1, 86_400_000 / stepMs);
        return name switch
        {
            SeasonalNaiveForecaster.ModelName => new SeasonalNaiveForecaster(daySteps),
            HoltWintersForecaster.ModelName => new HoltWintersForecaster(daySteps),
            PredictLinearForecaster.ModelName => new PredictLinearForecaster(rangeSteps),
            DoubleExponentialSmoothingForecaster.ModelName => new DoubleExponentialSmoothingForecaster(rangeSteps, SmoothingFactor, TrendFactor),
            _ => throw new ArgumentException($"unknown baseline '{name}'; known: {string.Join(", ", Names)}", nameof(name)),
        };
    }

    /// <summary>History a baseline needs to see: two days for Holt-Winters, the range for the PromQL ones.</summary>
    public static int HistorySteps(string name, long stepMs, int rangeSteps)
    {
        int daySteps = (int)Math.Max(1, 86_400_000 / stepMs);
        return name switch
        {
            SeasonalNaiveForecaster.ModelName => daySteps + 1,
            HoltWintersForecaster.ModelName => 3 * daySteps,
            _ => rangeSteps + 1,
        };
    }
}
