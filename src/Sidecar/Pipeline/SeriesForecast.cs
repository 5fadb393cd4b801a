namespace Sidecar.Pipeline;

/// <summary>A series' latest output, as <c>backtest</c> (and the APIs) read it.</summary>
/// <param name="Model">The forecaster: <c>lstm</c>, or the baseline serving until the LSTM is trained.</param>
/// <param name="Step">The step the forecast was made at.</param>
/// <param name="Horizons">Per horizon: lower, median, upper; null when there was no forecast at the newest step.</param>
/// <param name="NextStep">The one-step prediction for the step after the newest; NaN when there is none.</param>
/// <param name="AnomalyScore">The score of the newest step.</param>
/// <param name="Residual">The newest step's value minus its one-step forecast; NaN when there was none.</param>
/// <param name="Surprise">The score's surprise against the series' own recent scores (<see cref="Score.ScoreSurprise"/>).</param>
/// <param name="Novelty">How far the step went beyond the series' own records (<see cref="Score.NoveltyScorer"/>).</param>
/// <param name="LstmMedians">
/// The LSTM's own median per horizon, before <c>model.combine</c> combined it into <paramref name="Horizons"/>;
/// null where <paramref name="Horizons"/> is, or when the forecast is not the LSTM's.
/// </param>
internal sealed record SeriesForecast(string Model, long Step, float[]? Horizons, float NextStep, double AnomalyScore, double Residual = double.NaN, double Surprise = 0, double Novelty = 0,
    float[]? LstmMedians = null);

