namespace Sidecar.Backtest;

/// <summary>One row of a backtest report: how one model did at one horizon on one series.</summary>
/// <param name="Count">Outcomes with a point forecast.</param>
/// <param name="MissingForecasts">Outcomes the model gave no point forecast for.</param>
/// <param name="MeanAbsoluteError">In the series' unit.</param>
/// <param name="SymmetricMeanAbsolutePercentageError">A fraction between 0 and 2.</param>
/// <param name="MeanAbsoluteScaledError">Below 1 beats the in-sample naive forecast; NaN without a scale.</param>
/// <param name="IntervalCount">Outcomes with a prediction interval.</param>
/// <param name="IntervalCoverage">Fraction of those within the interval; NaN without intervals.</param>
/// <param name="MeanIntervalWidth">In the series' unit; NaN without intervals.</param>
internal readonly record struct AccuracySummary(
    string Model,
    int HorizonSteps,
    long Count,
    long MissingForecasts,
    double MeanAbsoluteError,
    double SymmetricMeanAbsolutePercentageError,
    double MeanAbsoluteScaledError,
    long IntervalCount,
    double IntervalCoverage,
    double MeanIntervalWidth);
