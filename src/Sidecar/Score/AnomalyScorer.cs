using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// Turns one-step residuals into a score where 1 is the edge of the prediction interval (the vmanomaly
/// convention): <c>|residual| / (sigmas · σ̂)</c>. σ̂ comes from an EWMA of absolute residuals, which
/// adapts to each series; for Gaussian errors the mean absolute deviation is σ·√(2/π), hence the factor.
/// The score stays 0 during warm-up, until enough residuals exist for σ̂ to mean something.
/// </summary>
internal struct AnomalyScorer
{
    private const double MeanAbsoluteToSigma = 1.2533141373155003; // √(π/2)

    private double _meanAbsolute;
    private int _count;

    public readonly double Sigma => _meanAbsolute * MeanAbsoluteToSigma;

    public readonly int Count => _count;

    /// <summary>Scores <paramref name="residual"/>, then folds it into the scale.</summary>
    public double Score(double residual, double actual, AnomalySettings settings)
    {
        double absolute = Math.Abs(residual);
        double score = 0;
        if (_count >= settings.WarmupSteps && _count > 0)
        {
            // A floor relative to the level keeps a perfectly flat series from scoring its first wiggle as infinite.
            double sigma = Math.Max(Sigma, Math.Max(Math.Abs(actual) * 1e-6, 1e-9));
            score = absolute / (settings.Sigmas * sigma);
        }
        // Clipping what an outlier adds keeps one spike from masking the next ones for a long time.
        double update = _count == 0 ? absolute : Math.Min(absolute, 2 * settings.Sigmas * Math.Max(Sigma, 1e-12));
        double alpha = _count < settings.ScaleSteps ? 1.0 / (_count + 1) : 2.0 / (settings.ScaleSteps + 1);
        _meanAbsolute += alpha * (update - _meanAbsolute);
        _count++;
        return score;
    }
}
