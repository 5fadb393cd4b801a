using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// The smoothing rates and the shift's normaliser that follow from a target's <see cref="AnomalySettings"/>,
/// worked out once per pipeline instead of at every score: they took five divisions and two square roots a
/// series a step (issue 19). The same expressions as before, so every score is the same to the last bit.
/// Not kept on the settings record itself: a copy made with <c>with</c> (as backtests make) would carry the
/// old values.
/// </summary>
/// <param name="ScaleAlpha">The weight of a new residual in the mean absolute residual, once <c>ScaleSteps</c> were seen.</param>
/// <param name="ShiftAlpha">The weight of a new normalised residual in the shift average.</param>
/// <param name="ShiftNormaliser">What puts the shift average on the footing of one step's score (see <see cref="Of"/>).</param>
/// <param name="SurpriseAlpha">The weight of a new score in <see cref="ScoreSurprise"/>'s mean and variance.</param>
internal readonly record struct AnomalyRates(double ScaleAlpha, double ShiftAlpha, double ShiftNormaliser, double SurpriseAlpha)
{
    public static AnomalyRates Of(AnomalySettings settings)
    {
        // An EWMA with α = 2/(N+1) of independent values with unit spread has spread √(α/(2−α)); dividing by
        // it puts the shift score on the same footing as a single step's.
        double shiftAlpha = 2.0 / (settings.ShiftSteps + 1);
        return new AnomalyRates(
            ScaleAlpha: 2.0 / (settings.ScaleSteps + 1),
            ShiftAlpha: shiftAlpha,
            ShiftNormaliser: Math.Sqrt((2 - shiftAlpha) / shiftAlpha),
            SurpriseAlpha: ScoreSurprise.Alpha(settings.SurpriseSteps));
    }
}
