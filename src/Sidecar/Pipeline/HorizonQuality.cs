namespace Sidecar.Pipeline;

/// <summary>Rolling accuracy of one horizon's forecasts (<see cref="Score.ForecastQuality"/>).</summary>
internal sealed record HorizonQuality(string Horizon, long Outcomes, double MeanAbsoluteError, double MeanAbsoluteScaledError, double Coverage);
