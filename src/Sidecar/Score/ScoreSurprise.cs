namespace Sidecar.Score;

/// <summary>
/// How far a series' anomaly score stands above its own recent scores, in standard deviations (0 when
/// at or below its usual level): an EWMA of the score's mean and variance over <c>surprise_window</c>.
/// A noisy series whose score often passes 1 surprises only when it goes well beyond its usual noise;
/// a quiet one surprises at its first real departure. This is the role HTM's anomaly likelihood plays in
/// NAB, in two numbers per series instead of a window of past scores.
/// The value is 0 until a quarter of the window has been seen.
/// </summary>
internal struct ScoreSurprise
{
    /// <summary>
    /// The score's spread is never taken as smaller than this: a series whose score never moves (a
    /// perfectly regular signal) would otherwise find its first wiggle infinitely surprising.
    /// </summary>
    public const double MinSpread = 0.1;

    // Internal for ScoreLanes, which does this arithmetic for four series at once.
    internal double Mean;
    internal double Variance;
    internal int Observed;

    /// <summary>Rates <paramref name="score"/> against the scores before it, then folds it in.</summary>
    public double Observe(double score, int windowSteps) => Observe(score, windowSteps, Alpha(windowSteps));

    /// <summary><see cref="Observe(double, int)"/> with the window's <see cref="Alpha"/> worked out once, by the caller (<see cref="AnomalyRates"/>).</summary>
    public double Observe(double score, int windowSteps, double alpha)
    {
        double surprise = 0;
        if (Observed > 0 && Observed >= windowSteps / 4)
            surprise = Math.Max(0, (score - Mean) / Math.Max(Math.Sqrt(Variance), MinSpread));
        if (Observed == 0)
        {
            Mean = score;
        }
        else
        {
            double deviation = score - Mean;
            Mean += alpha * deviation;
            Variance = (1 - alpha) * (Variance + alpha * deviation * deviation);
        }
        Observed++;
        return surprise;
    }

    /// <summary>The weight of a new score in the mean and variance over a window of <paramref name="windowSteps"/>.</summary>
    public static double Alpha(int windowSteps) => 2.0 / (windowSteps + 1);

    /// <summary>Writes the score's running mean and spread, for the scoring state kept across restarts.</summary>
    public readonly void WriteTo(BinaryWriter writer)
    {
        writer.Write(Mean);
        writer.Write(Variance);
        writer.Write(Observed);
    }

    /// <exception cref="InvalidDataException">A count no surprise could have reached.</exception>
    public static ScoreSurprise ReadFrom(BinaryReader reader)
    {
        var surprise = new ScoreSurprise { Mean = reader.ReadDouble(), Variance = reader.ReadDouble(), Observed = reader.ReadInt32() };
        if (surprise.Observed < 0)
            throw new InvalidDataException($"bad surprise count {surprise.Observed}");
        return surprise;
    }
}
