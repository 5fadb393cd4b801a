namespace Sidecar.Score;

/// <summary>
/// Keeps one series' forecast interval at its promised coverage under drift, per horizon, by online
/// quantile tracking of a conformity score (the "P control" of Angelopoulos, Candès and Tibshirani's
/// conformal PID control, a successor of Gibbs and Candès' adaptive conformal inference): the model's band
/// is stretched about its median by a factor q, and once each forecast's outcome is known, q grows by
/// η·(1 − target) after a miss and shrinks by η·target after a hit. Whatever the errors' distribution and
/// however it drifts, the long-run share of misses then tends to 1 − target; the calibration on the
/// validation part only sets where q starts (1).
/// </summary>
/// <remarks>
/// A forecast h steps ahead is judged h steps after it was made, so each horizon keeps the forecasts still
/// waiting for their outcome (<see cref="WaitingForecasts{TPayload}"/>). On long horizons only every k-th step's
/// forecast is kept; q moves on those outcomes alone, which changes its speed, not what it converges to.
/// Touched by the inference loop only.
/// </remarks>
internal sealed class AdaptiveInterval
{
    // The step of q per outcome: with ~1,000 outcomes a miss rate already sits within about a point of its target.
    private const float Rate = 0.05f;
    private const float Smallest = 0.05f;
    private const float Largest = 20f;

    private readonly WaitingForecasts<Band> _waiting;
    private readonly float[] _stretch;
    private readonly float _missRate;

    /// <param name="coverage">The share of outcomes the band promises to hold, e.g. 0.9 for p05–p95.</param>
    public AdaptiveInterval(IReadOnlyList<int> horizonSteps, double coverage)
        : this(WaitingSchedule.For(horizonSteps), (float)(1 - coverage))
    {
    }

    private AdaptiveInterval(WaitingSchedule schedule, float missRate)
    {
        _waiting = new WaitingForecasts<Band>(schedule);
        _stretch = new float[schedule.Horizons];
        Array.Fill(_stretch, 1f);
        _missRate = missRate;
    }

    /// <summary>The factor the model's band of horizon <paramref name="horizon"/> is stretched by about its median.</summary>
    public float Stretch(int horizon) => _stretch[horizon];

    /// <summary>Remembers the model's own band (before stretching) of the forecast made at <paramref name="step"/>.</summary>
    public void Record(int horizon, long step, float median, float lower, float upper)
    {
        if (float.IsNaN(lower) || float.IsNaN(upper))
            return;
        _waiting.TryRecord(horizon, step, new Band(median, median - lower, upper - median));
    }

    /// <summary>Judges every remembered forecast for <paramref name="step"/> against its outcome.</summary>
    public void Observe(long step, float actual)
    {
        if (float.IsNaN(actual))
            return;
        for (int h = 0; h < _stretch.Length; h++)
        {
            if (!_waiting.TryTake(h, step, out Band band))
                continue;
            // How far out the outcome fell, in units of the band's half on its side: within the band as
            // stretched now when at most the stretch.
            float gap = actual >= band.Median ? band.Above : band.Below;
            float score = gap > 0 ? Math.Abs(actual - band.Median) / gap : actual == band.Median ? 0 : float.PositiveInfinity;
            bool miss = score > _stretch[h];
            float next = _stretch[h] + Rate * ((miss ? 1 : 0) - _missRate);
            _stretch[h] = Math.Clamp(next, Smallest, Largest);
        }
    }

    /// <summary>Whether this state was made for these horizons, so it can carry over (a restart, a reload).</summary>
    public bool Fits(IReadOnlyList<int> horizonSteps) => _waiting.Schedule.Fits(horizonSteps);

    public AdaptiveInterval Clone()
    {
        var copy = new AdaptiveInterval(_waiting.Schedule, _missRate);
        _stretch.CopyTo(copy._stretch, 0);
        copy._waiting.CopyFrom(_waiting);
        return copy;
    }

    /// <summary>Writes the horizons it was made for, the coverage, each stretch and the waiting forecasts.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        _waiting.Schedule.WriteHorizons(writer);
        writer.Write(_missRate);
        foreach (float stretch in _stretch)
            writer.Write(stretch);
        _waiting.WriteSteps(writer);
        for (int slot = 0; slot < _waiting.Schedule.Slots; slot++)
        {
            Band band = _waiting.PayloadAt(slot);
            writer.Write(band.Median);
            writer.Write(band.Below);
            writer.Write(band.Above);
        }
    }

    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static AdaptiveInterval ReadFrom(BinaryReader reader)
    {
        WaitingSchedule schedule = WaitingSchedule.ReadHorizons(reader, "adaptive interval");
        float missRate = reader.ReadSingle();
        if (!(missRate > 0 && missRate < 1))
            throw new InvalidDataException($"adaptive interval miss rate {missRate}");
        var interval = new AdaptiveInterval(schedule, missRate);
        for (int h = 0; h < schedule.Horizons; h++)
        {
            float stretch = reader.ReadSingle();
            if (!(stretch >= Smallest && stretch <= Largest))
                throw new InvalidDataException($"adaptive interval stretch {stretch}");
            interval._stretch[h] = stretch;
        }
        interval._waiting.ReadSteps(reader);
        for (int slot = 0; slot < schedule.Slots; slot++)
            interval._waiting.PayloadAt(slot) = new Band(reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle());
        return interval;
    }

    /// <summary>A waiting forecast's median and its band's distance below and above it, before stretching.</summary>
    private readonly record struct Band(float Median, float Below, float Above);
}
