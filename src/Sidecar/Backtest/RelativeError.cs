namespace Sidecar.Backtest;

/// <summary>
/// Errors relative to a reference forecaster, averaged across series the way the forecasting literature
/// does (M4, Hyndman and Koehler 2006): each series' MAE over the reference's MAE on the same outcomes, then
/// the geometric mean over series, so no series weighs more for being measured in larger units and a ratio
/// of 2 and one of 1/2 cancel out. Below 1 beats the reference.
/// </summary>
internal static class RelativeError
{
    /// <summary>The reference of <c>backtest</c>'s relative errors: the forecast from a day earlier.</summary>
    public const string Reference = "seasonal_naive";

    /// <summary>
    /// The geometric mean of model MAE over reference MAE, over the pairs where both are finite and
    /// positive (a series the reference forecast perfectly, or with no outcomes, has no ratio); NaN without any.
    /// </summary>
    public static double GeometricMean(IEnumerable<(double Model, double Reference)> pairs)
    {
        double logSum = 0;
        int count = 0;
        foreach (var (model, reference) in pairs)
        {
            if (!(model > 0) || !(reference > 0) || double.IsInfinity(model) || double.IsInfinity(reference))
                continue;
            logSum += Math.Log(model / reference);
            count++;
        }
        return count == 0 ? double.NaN : Math.Exp(logSum / count);
    }
}
