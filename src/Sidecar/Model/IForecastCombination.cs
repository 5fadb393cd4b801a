namespace Sidecar.Model;

/// <summary>An online combination of several forecasters, per series and horizon, judged on the outcomes it is shown.</summary>
internal interface IForecastCombination
{
    /// <summary>Records an outcome for <paramref name="horizon"/> against what each member had forecast for it.</summary>
    /// <returns>False, and nothing recorded, when a member had no forecast or the outcome is a gap.</returns>
    bool Observe(int horizon, ReadOnlySpan<float> forecasts, float actual);

    /// <summary>The combined forecast for <paramref name="horizon"/>, or NaN when any member has none.</summary>
    float Combine(int horizon, ReadOnlySpan<float> forecasts);
}
