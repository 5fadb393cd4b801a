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
/// waiting for their outcome (<see cref="WaitingForecasts"/>). On long horizons only every k-th step's
/// forecast is kept; q moves on those outcomes alone, which changes its speed, not what it converges to.
/// Touched by the inference loop only.
/// </remarks>
internal sealed class AdaptiveInterval
{
    // The step of q per outcome: with ~1,000 outcomes a miss rate already sits within about a point of its target.
    private const float Rate = 0.05f;
    private const float Smallest = 0.05f;
    private const float Largest = 20f;

    private readonly WaitingForecasts _waiting;
    private readonly float[] _stretch;
    private readonly float[] _pending; // median, lower gap, upper gap per waiting slot
    private readonly float _missRate;

    /// <param name="coverage">The share of outcomes the band promises to hold, e.g. 0.9 for p05–p95.</param>
    public AdaptiveInterval(IReadOnlyList<int> horizonSteps, double coverage)
        : this([.. horizonSteps], (float)(1 - coverage))
    {
    }

    private AdaptiveInterval(int[] horizonSteps, float missRate)
    {
        _waiting = new WaitingForecasts(horizonSteps);
        _stretch = [.. horizonSteps.Select(_ => 1f)];
        _pending = new float[_waiting.Slots * 3];
        _missRate = missRate;
    }

    /// <summary>The factor the model's band of horizon <paramref name="horizon"/> is stretched by about its median.</summary>
    public float Stretch(int horizon) => _stretch[horizon];

    /// <summary>Remembers the model's own band (before stretching) of the forecast made at <paramref name="step"/>.</summary>
    public void Record(int horizon, long step, float median, float lower, float upper)
    {
        if (float.IsNaN(lower) || float.IsNaN(upper) || !_waiting.TryRecord(horizon, step, out int slot))
            return;
        _pending[slot * 3] = median;
        _pending[slot * 3 + 1] = median - lower;
        _pending[slot * 3 + 2] = upper - median;
    }

    /// <summary>Judges every remembered forecast for <paramref name="step"/> against its outcome.</summary>
    public void Observe(long step, float actual)
    {
        if (float.IsNaN(actual))
            return;
        for (int h = 0; h < _stretch.Length; h++)
        {
            if (!_waiting.TryTake(h, step, out int slot))
                continue;
            float median = _pending[slot * 3], below = _pending[slot * 3 + 1], above = _pending[slot * 3 + 2];
            // How far out the outcome fell, in units of the band's half on its side: within the band as
            // stretched now when at most the stretch.
            float gap = actual >= median ? above : below;
            float score = gap > 0 ? Math.Abs(actual - median) / gap : actual == median ? 0 : float.PositiveInfinity;
            bool miss = score > _stretch[h];
            float next = _stretch[h] + Rate * ((miss ? 1 : 0) - _missRate);
            _stretch[h] = Math.Clamp(next, Smallest, Largest);
        }
    }

    /// <summary>Whether this state was made for these horizons, so it can carry over (a restart, a reload).</summary>
    public bool Fits(IReadOnlyList<int> horizonSteps) => _waiting.Fits(horizonSteps);

    public AdaptiveInterval Clone()
    {
        var copy = new AdaptiveInterval(_waiting.Clone(), _missRate);
        _stretch.CopyTo(copy._stretch, 0);
        _pending.CopyTo(copy._pending, 0);
        return copy;
    }

    private AdaptiveInterval(WaitingForecasts waiting, float missRate)
    {
        _waiting = waiting;
        _stretch = [.. waiting.HorizonSteps.Select(_ => 1f)];
        _pending = new float[waiting.Slots * 3];
        _missRate = missRate;
    }

    /// <summary>Writes the horizons it was made for, the coverage, each stretch and the waiting forecasts.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        _waiting.WriteHorizons(writer);
        writer.Write(_missRate);
        foreach (float stretch in _stretch)
            writer.Write(stretch);
        _waiting.WriteSteps(writer);
        foreach (float value in _pending)
            writer.Write(value);
    }

    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static AdaptiveInterval ReadFrom(BinaryReader reader)
    {
        int[] horizons = WaitingForecasts.ReadHorizons(reader, "adaptive interval");
        int count = horizons.Length;
        float missRate = reader.ReadSingle();
        if (!(missRate > 0 && missRate < 1))
            throw new InvalidDataException($"adaptive interval miss rate {missRate}");
        var interval = new AdaptiveInterval(horizons, missRate);
        for (int h = 0; h < count; h++)
        {
            float stretch = reader.ReadSingle();
            if (!(stretch >= Smallest && stretch <= Largest))
                throw new InvalidDataException($"adaptive interval stretch {stretch}");
            interval._stretch[h] = stretch;
        }
        interval._waiting.ReadSteps(reader);
        for (int i = 0; i < interval._pending.Length; i++)
            interval._pending[i] = reader.ReadSingle();
        return interval;
    }
}
