using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// Turns one-step residuals into a score where 1 is the edge of the prediction interval, so 0–1 is
/// normal and above 1 anomalous (the vmanomaly convention).
/// <list type="bullet">
/// <item>Scale: the model's own one-step interval (the distance from the median to the lower or upper
/// edge, on the residual's side) when it has one; otherwise <c>sigmas</c> × σ̂, where σ̂ comes from an
/// EWMA of absolute residuals (for Gaussian errors the mean absolute deviation is σ·√(2/π)).</item>
/// <item><c>min_deviation</c> (absolute) and <c>min_relative_deviation</c> (of the value) floor the scale,
/// so a residual smaller than them never scores above 1: tiny wiggles on a flat series stay normal.</item>
/// <item><c>direction</c>: only residuals above (or below) the forecast count.</item>
/// <item>With <c>shift_steps</c> N &gt; 0, an EWMA (span N) of the signed normalised residuals also
/// scores, scaled by its own standard deviation for independent residuals: a shift that persists for
/// N steps at half the interval scores well above 1, while single steps of that size don't.</item>
/// </list>
/// The score stays 0 during warm-up, until enough residuals exist for the scale to mean something.
/// </summary>
internal struct AnomalyScorer
{
    internal const double MeanAbsoluteToSigma = 1.2533141373155003; // √(π/2)

    // A single outlier moves the shift average by at most this much, so one spike isn't also a "shift".
    internal const double MaxShiftContribution = 3;

    // Internal for ScoreLanes, which does this arithmetic for four series at once.
    internal double MeanAbsolute;
    internal double ShiftAverage;
    internal int Scored;

    public readonly double Sigma => MeanAbsolute * MeanAbsoluteToSigma;

    public readonly int Count => Scored;

    /// <summary>Scores <paramref name="residual"/> (actual − forecast), then folds it into the scales.</summary>
    /// <param name="lowerGap">Forecast median − lower edge of its one-step interval; NaN without an interval.</param>
    /// <param name="upperGap">Upper edge − median; NaN without an interval.</param>
    public double Score(double residual, double actual, double lowerGap, double upperGap, AnomalySettings settings) =>
        Score(residual, actual, lowerGap, upperGap, settings, AnomalyRates.Of(settings));

    /// <summary><see cref="Score(double, double, double, double, AnomalySettings)"/> with the rates that follow from <paramref name="settings"/> worked out once, by the caller.</summary>
    public double Score(double residual, double actual, double lowerGap, double upperGap, AnomalySettings settings, in AnomalyRates rates)
    {
        double absolute = Math.Abs(residual);
        double floor = Math.Max(settings.MinDeviation, settings.MinRelativeDeviation * Math.Abs(actual));
        // Without a floor a perfectly flat series would score its first wiggle as infinite.
        floor = Math.Max(floor, Math.Max(Math.Abs(actual) * 1e-6, 1e-9));
        double scale = residual >= 0 ? upperGap : lowerGap;
        if (!(scale > 0))
            scale = settings.Sigmas * Sigma;
        double normalised = residual / Math.Max(scale, floor);

        double score = 0;
        bool warm = Scored >= settings.WarmupSteps && Scored > 0;
        if (warm)
        {
            score = Directed(normalised, settings.Direction);
            if (settings.ShiftSteps > 0)
                score = Math.Max(score, Directed(ShiftAverage, settings.Direction) * rates.ShiftNormaliser);
        }

        // Clipping what an outlier adds keeps one spike from masking the next ones for a long time.
        double update = Scored == 0 ? absolute : Math.Min(absolute, 2 * settings.Sigmas * Math.Max(Sigma, 1e-12));
        double alpha = Scored < settings.ScaleSteps ? 1.0 / (Scored + 1) : rates.ScaleAlpha;
        MeanAbsolute += alpha * (update - MeanAbsolute);
        if (settings.ShiftSteps > 0 && warm)
        {
            ShiftAverage += rates.ShiftAlpha * (Math.Clamp(normalised, -MaxShiftContribution, MaxShiftContribution) - ShiftAverage);
            // Re-scored after the update, so the step that completes a shift is the one that shows it.
            score = Math.Max(score, Directed(ShiftAverage, settings.Direction) * rates.ShiftNormaliser);
        }
        Scored++;
        return score;
    }

    /// <summary>Writes the scales, for the scoring state kept across restarts (<see cref="Pipeline.SavedScoresFile"/>).</summary>
    public readonly void WriteTo(BinaryWriter writer)
    {
        writer.Write(MeanAbsolute);
        writer.Write(ShiftAverage);
        writer.Write(Scored);
    }

    /// <exception cref="InvalidDataException">A count no scorer could have reached.</exception>
    public static AnomalyScorer ReadFrom(BinaryReader reader)
    {
        var scorer = new AnomalyScorer { MeanAbsolute = reader.ReadDouble(), ShiftAverage = reader.ReadDouble(), Scored = reader.ReadInt32() };
        if (scorer.Scored < 0)
            throw new InvalidDataException($"bad anomaly scorer count {scorer.Scored}");
        return scorer;
    }

    private static double Directed(double value, AnomalyDirection direction) => direction switch
    {
        AnomalyDirection.Above => Math.Max(value, 0),
        AnomalyDirection.Below => Math.Max(-value, 0),
        _ => Math.Abs(value),
    };
}
