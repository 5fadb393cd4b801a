using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Keeps forecasts inside the values a series can take. A series that has never been negative (a load
/// average, a rate, bytes, a percentage) is never forecast below zero: not its median, not an interval edge,
/// whatever the model. A network or a fitted line extrapolates a falling series straight through zero, and a
/// negative load average on a dashboard tells the user the tool doesn't know what it measures. No upper bound
/// is imposed: a percentage can't be told from a count by its values alone, and a cap users didn't ask for
/// would hide growth that a capacity alert exists to see.
/// </summary>
internal static class ForecastDomain
{
    /// <summary>The lowest value a forecast of <paramref name="series"/> may take.</summary>
    public static float FloorOf(Series series) => series.HasBeenNegative ? float.NegativeInfinity : 0f;

    /// <summary><paramref name="value"/> raised to <paramref name="floor"/>; NaN stays NaN.</summary>
    public static float AtLeast(float value, float floor) => value < floor ? floor : value;
}
