using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// <see cref="AnomalyScorer.Score(double, double, double, double, AnomalySettings, in AnomalyRates)"/>, then
/// <see cref="ScoreSurprise.Observe(double, int, double)"/> where the target computes surprise, for four
/// series at once: one series a lane of a vector register, each lane to the same bit as the series scored
/// alone (the rules of <see cref="RecordRangeLanes"/>: IEEE arithmetic gives the same bits in a lane, and
/// Vector256.Max/Min treat NaN and signed zeros as Math.Max/Min do; where the scalar code branches a lane
/// computes both sides and keeps one). The scorers stay where they are, in each series' state: their
/// numbers are loaded into lanes and stored back.
/// </summary>
/// <remarks>
/// Why (issue 19): scored one at a time, in the step's planning loop or in a loop of its own, a series'
/// score and surprise took 13 to 20 ns, most of it the instructions of two divisions, a square root and
/// a dozen Math.Max/Min, each with its NaN and signed-zero handling. Four lanes share each of them: 13.3
/// against 7.2 µs for 1,024 series in cache (<c>StepScoringBenchmarks</c>), the inputs handed over in
/// registers (through memory, each vector waited for its four stores, and the lanes took 14.8).
/// </remarks>
internal readonly struct ScoreLanes
{
    private readonly Vector256<double> _minDeviation, _minRelativeDeviation, _sigmas, _twiceSigmas, _warmupSteps, _scaleSteps;
    private readonly Vector256<double> _scaleAlpha, _shiftAlpha, _shiftNormaliser;
    private readonly Vector256<double> _surpriseAlpha, _surpriseKeep, _surpriseFrom;
    private readonly AnomalyDirection _direction;
    private readonly bool _shifts;

    public ScoreLanes(AnomalySettings settings, in AnomalyRates rates)
    {
        _minDeviation = Vector256.Create(settings.MinDeviation);
        _minRelativeDeviation = Vector256.Create(settings.MinRelativeDeviation);
        _sigmas = Vector256.Create(settings.Sigmas);
        _twiceSigmas = Vector256.Create(2 * settings.Sigmas);
        _warmupSteps = Vector256.Create((double)settings.WarmupSteps);
        _scaleSteps = Vector256.Create((double)settings.ScaleSteps);
        _scaleAlpha = Vector256.Create(rates.ScaleAlpha);
        _shiftAlpha = Vector256.Create(rates.ShiftAlpha);
        _shiftNormaliser = Vector256.Create(rates.ShiftNormaliser);
        _surpriseAlpha = Vector256.Create(rates.SurpriseAlpha);
        _surpriseKeep = Vector256.Create(1 - rates.SurpriseAlpha);
        // ScoreSurprise.Observe's integer windowSteps / 4.
        _surpriseFrom = Vector256.Create((double)(settings.SurpriseSteps / 4));
        _direction = settings.Direction;
        _shifts = settings.ShiftSteps > 0;
        Surprises = settings.SurpriseSteps > 0;
    }

    /// <summary>Whether <see cref="Score"/> observes the surprises too (<c>anomaly.surprise_window</c> above 0).</summary>
    public bool Surprises { get; }

    /// <summary>
    /// Scores each lane's residual with its scorer, then, where <see cref="Surprises"/>, rates the score with
    /// its surprise; both are moved on, as the scalar calls would move them.
    /// </summary>
    /// <returns>The scores; <paramref name="surprise"/> the surprises (NaN everywhere without <see cref="Surprises"/>).</returns>
    public Vector256<double> Score(
        ref AnomalyScorer s0, ref AnomalyScorer s1, ref AnomalyScorer s2, ref AnomalyScorer s3,
        ref ScoreSurprise u0, ref ScoreSurprise u1, ref ScoreSurprise u2, ref ScoreSurprise u3,
        Vector256<double> residual, Vector256<double> actual, Vector256<double> lowerGap, Vector256<double> upperGap,
        out Vector256<double> surprise)
    {
        Vector256<double> meanAbsolute = Vector256.Create(s0.MeanAbsolute, s1.MeanAbsolute, s2.MeanAbsolute, s3.MeanAbsolute);
        Vector256<double> shift = Vector256.Create(s0.ShiftAverage, s1.ShiftAverage, s2.ShiftAverage, s3.ShiftAverage);
        Vector256<double> count = Vector256.Create((double)s0.Scored, s1.Scored, s2.Scored, s3.Scored);

        Vector256<double> absolute = Vector256.Abs(residual);
        Vector256<double> absoluteActual = Vector256.Abs(actual);
        Vector256<double> floor = Vector256.Max(_minDeviation, _minRelativeDeviation * absoluteActual);
        floor = Vector256.Max(floor, Vector256.Max(absoluteActual * Vector256.Create(1e-6), Vector256.Create(1e-9)));
        Vector256<double> sigma = meanAbsolute * Vector256.Create(AnomalyScorer.MeanAbsoluteToSigma);
        Vector256<double> scale = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(residual, Vector256<double>.Zero), upperGap, lowerGap);
        scale = Vector256.ConditionalSelect(Vector256.GreaterThan(scale, Vector256<double>.Zero), scale, _sigmas * sigma);
        Vector256<double> normalised = residual / Vector256.Max(scale, floor);

        Vector256<double> warm = Vector256.GreaterThanOrEqual(count, _warmupSteps) & Vector256.GreaterThan(count, Vector256<double>.Zero);
        Vector256<double> score = Directed(normalised);
        if (_shifts)
            score = Vector256.Max(score, Directed(shift) * _shiftNormaliser);
        score = warm & score; // 0 (its bits all clear) until warm

        Vector256<double> update = Vector256.ConditionalSelect(Vector256.Equals(count, Vector256<double>.Zero), absolute,
            Vector256.Min(absolute, _twiceSigmas * Vector256.Max(sigma, Vector256.Create(1e-12))));
        Vector256<double> alpha = Vector256.ConditionalSelect(Vector256.LessThan(count, _scaleSteps), Vector256<double>.One / (count + Vector256<double>.One), _scaleAlpha);
        meanAbsolute += alpha * (update - meanAbsolute);
        if (_shifts)
        {
            // Math.Clamp's order: below the least, then above the most; NaN stays.
            Vector256<double> least = Vector256.Create(-AnomalyScorer.MaxShiftContribution), most = Vector256.Create(AnomalyScorer.MaxShiftContribution);
            Vector256<double> clamped = Vector256.ConditionalSelect(Vector256.LessThan(normalised, least), least,
                Vector256.ConditionalSelect(Vector256.GreaterThan(normalised, most), most, normalised));
            shift = Vector256.ConditionalSelect(warm, shift + _shiftAlpha * (clamped - shift), shift);
            score = Vector256.ConditionalSelect(warm, Vector256.Max(score, Directed(shift) * _shiftNormaliser), score);
        }

        Store(ref s0, meanAbsolute, shift, 0);
        Store(ref s1, meanAbsolute, shift, 1);
        Store(ref s2, meanAbsolute, shift, 2);
        Store(ref s3, meanAbsolute, shift, 3);
        surprise = Surprises ? Surprise(ref u0, ref u1, ref u2, ref u3, score) : Vector256.Create(double.NaN);
        return score;
    }

    // ScoreSurprise.Observe, lane by lane.
    private Vector256<double> Surprise(ref ScoreSurprise u0, ref ScoreSurprise u1, ref ScoreSurprise u2, ref ScoreSurprise u3, Vector256<double> score)
    {
        Vector256<double> mean = Vector256.Create(u0.Mean, u1.Mean, u2.Mean, u3.Mean);
        Vector256<double> variance = Vector256.Create(u0.Variance, u1.Variance, u2.Variance, u3.Variance);
        Vector256<double> count = Vector256.Create((double)u0.Observed, u1.Observed, u2.Observed, u3.Observed);
        Vector256<double> rated = Vector256.GreaterThan(count, Vector256<double>.Zero) & Vector256.GreaterThanOrEqual(count, _surpriseFrom);
        Vector256<double> surprise = rated & Vector256.Max(Vector256<double>.Zero, (score - mean) / Vector256.Max(Vector256.Sqrt(variance), Vector256.Create(ScoreSurprise.MinSpread)));
        Vector256<double> first = Vector256.Equals(count, Vector256<double>.Zero);
        Vector256<double> deviation = score - mean;
        Vector256<double> movedMean = mean + _surpriseAlpha * deviation;
        Vector256<double> movedVariance = _surpriseKeep * (variance + _surpriseAlpha * deviation * deviation);
        mean = Vector256.ConditionalSelect(first, score, movedMean);
        variance = Vector256.ConditionalSelect(first, variance, movedVariance);
        Store(ref u0, mean, variance, 0);
        Store(ref u1, mean, variance, 1);
        Store(ref u2, mean, variance, 2);
        Store(ref u3, mean, variance, 3);
        return surprise;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref AnomalyScorer scorer, Vector256<double> meanAbsolute, Vector256<double> shift, int lane)
    {
        scorer.MeanAbsolute = meanAbsolute.GetElement(lane);
        scorer.ShiftAverage = shift.GetElement(lane);
        scorer.Scored++;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref ScoreSurprise surprise, Vector256<double> mean, Vector256<double> variance, int lane)
    {
        surprise.Mean = mean.GetElement(lane);
        surprise.Variance = variance.GetElement(lane);
        surprise.Observed++;
    }

    // AnomalyScorer.Directed. The negation flips the sign bit, as the scalar unary minus does.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector256<double> Directed(Vector256<double> value) => _direction switch
    {
        AnomalyDirection.Above => Vector256.Max(value, Vector256<double>.Zero),
        AnomalyDirection.Below => Vector256.Max(value ^ Vector256.Create(-0.0), Vector256<double>.Zero),
        _ => Vector256.Abs(value),
    };
}
