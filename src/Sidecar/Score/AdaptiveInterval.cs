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
/// waiting for their outcome in a small ring. To bound memory on long horizons only every k-th step's
/// forecast is kept (k = ⌈(h + 1) / ring size⌉); q moves on those outcomes alone, which changes its speed,
/// not what it converges to. Touched by the inference loop only.
/// </remarks>
internal sealed class AdaptiveInterval
{
    /// <summary>Forecasts waiting for their outcome, per horizon, at most.</summary>
    public const int RingSize = 16;

    // The step of q per outcome: with ~1,000 outcomes a miss rate already sits within about a point of its target.
    private const float Rate = 0.05f;
    private const float Smallest = 0.05f;
    private const float Largest = 20f;

    private readonly int[] _horizonSteps;
    private readonly int[] _stride;
    private readonly float[] _stretch;
    private readonly long[] _targetSteps;
    private readonly float[] _pending; // median, lower gap, upper gap per ring entry
    private readonly float _missRate;

    /// <param name="coverage">The share of outcomes the band promises to hold, e.g. 0.9 for p05–p95.</param>
    public AdaptiveInterval(IReadOnlyList<int> horizonSteps, double coverage)
        : this([.. horizonSteps], (float)(1 - coverage))
    {
    }

    private AdaptiveInterval(int[] horizonSteps, float missRate)
    {
        _horizonSteps = horizonSteps;
        _stride = [.. horizonSteps.Select(h => Math.Max(1, (h + RingSize) / RingSize))];
        _stretch = [.. horizonSteps.Select(_ => 1f)];
        _targetSteps = new long[horizonSteps.Length * RingSize];
        Array.Fill(_targetSteps, long.MinValue);
        _pending = new float[horizonSteps.Length * RingSize * 3];
        _missRate = missRate;
    }

    /// <summary>The factor the model's band of horizon <paramref name="horizon"/> is stretched by about its median.</summary>
    public float Stretch(int horizon) => _stretch[horizon];

    /// <summary>Remembers the model's own band (before stretching) of the forecast made at <paramref name="step"/>.</summary>
    public void Record(int horizon, long step, float median, float lower, float upper)
    {
        if (step % _stride[horizon] != 0 || float.IsNaN(lower) || float.IsNaN(upper))
            return;
        long target = step + _horizonSteps[horizon];
        int slot = Slot(horizon, target);
        _targetSteps[slot] = target;
        _pending[slot * 3] = median;
        _pending[slot * 3 + 1] = median - lower;
        _pending[slot * 3 + 2] = upper - median;
    }

    /// <summary>Judges every remembered forecast for <paramref name="step"/> against its outcome.</summary>
    public void Observe(long step, float actual)
    {
        if (float.IsNaN(actual))
            return;
        for (int h = 0; h < _horizonSteps.Length; h++)
        {
            int slot = Slot(h, step);
            if (_targetSteps[slot] != step)
                continue;
            _targetSteps[slot] = long.MinValue;
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
    public bool Fits(IReadOnlyList<int> horizonSteps) => horizonSteps.SequenceEqual(_horizonSteps);

    public AdaptiveInterval Clone()
    {
        var copy = new AdaptiveInterval(_horizonSteps, _missRate);
        _stretch.CopyTo(copy._stretch, 0);
        _targetSteps.CopyTo(copy._targetSteps, 0);
        _pending.CopyTo(copy._pending, 0);
        return copy;
    }

    /// <summary>Writes the horizons it was made for, the coverage, each stretch and the waiting forecasts.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(_horizonSteps.Length);
        foreach (int h in _horizonSteps)
            writer.Write(h);
        writer.Write(_missRate);
        foreach (float stretch in _stretch)
            writer.Write(stretch);
        foreach (long step in _targetSteps)
            writer.Write(step);
        foreach (float value in _pending)
            writer.Write(value);
    }

    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static AdaptiveInterval ReadFrom(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count < 1 || count > 64)
            throw new InvalidDataException($"adaptive interval with {count} horizons");
        var horizons = new int[count];
        for (int h = 0; h < count; h++)
        {
            horizons[h] = reader.ReadInt32();
            if (horizons[h] < 1)
                throw new InvalidDataException($"adaptive interval horizon of {horizons[h]} steps");
        }
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
        for (int i = 0; i < interval._targetSteps.Length; i++)
            interval._targetSteps[i] = reader.ReadInt64();
        for (int i = 0; i < interval._pending.Length; i++)
            interval._pending[i] = reader.ReadSingle();
        return interval;
    }

    private int Slot(int horizon, long targetStep)
    {
        long position = targetStep / _stride[horizon] % RingSize;
        return horizon * RingSize + (int)(position < 0 ? position + RingSize : position);
    }
}
