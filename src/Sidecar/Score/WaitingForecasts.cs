namespace Sidecar.Score;

/// <summary>
/// Which forecasts of one series still wait for their outcome, per horizon: a forecast made at step s for
/// horizon h is judged at step s + h. Each horizon keeps a small ring; on long horizons only every k-th
/// step's forecast is kept (k = ⌈(h + 1) / ring size⌉), so memory stays bounded whatever the horizon. What a
/// waiting forecast carries lives with its user (<see cref="AdaptiveInterval"/>, <see cref="ForecastCombination"/>),
/// in arrays indexed by the slot this hands out. Touched by the inference loop only.
/// </summary>
internal sealed class WaitingForecasts
{
    /// <summary>Forecasts waiting per horizon, at most.</summary>
    public const int RingSize = 16;

    private const int MaxHorizons = 64;

    private readonly int[] _horizonSteps;
    private readonly int[] _stride;
    private readonly long[] _targetSteps;

    public WaitingForecasts(IReadOnlyList<int> horizonSteps)
    {
        _horizonSteps = [.. horizonSteps];
        _stride = [.. _horizonSteps.Select(h => Math.Max(1, (h + RingSize) / RingSize))];
        _targetSteps = new long[_horizonSteps.Length * RingSize];
        Array.Fill(_targetSteps, long.MinValue);
    }

    /// <summary>The horizons, in steps.</summary>
    public IReadOnlyList<int> HorizonSteps => _horizonSteps;

    /// <summary>How many slots there are: a user's per-slot arrays have this many entries.</summary>
    public int Slots => _targetSteps.Length;

    /// <summary>Every how many steps horizon <paramref name="horizon"/> keeps a forecast.</summary>
    public int Stride(int horizon) => _stride[horizon];

    /// <summary>Makes room for the forecast of <paramref name="horizon"/> made at <paramref name="step"/>, unless that step's forecasts are not kept.</summary>
    /// <returns>False when <paramref name="step"/> is not one whose forecasts this horizon keeps.</returns>
    public bool TryRecord(int horizon, long step, out int slot)
    {
        slot = -1;
        if (step % _stride[horizon] != 0)
            return false;
        long target = step + _horizonSteps[horizon];
        slot = Slot(horizon, target);
        _targetSteps[slot] = target;
        return true;
    }

    /// <summary>Takes the forecast of <paramref name="horizon"/> that waits for <paramref name="step"/>, if one does.</summary>
    public bool TryTake(int horizon, long step, out int slot)
    {
        slot = Slot(horizon, step);
        if (_targetSteps[slot] != step)
            return false;
        _targetSteps[slot] = long.MinValue;
        return true;
    }

    public bool Fits(IReadOnlyList<int> horizonSteps) => horizonSteps.SequenceEqual(_horizonSteps);

    public WaitingForecasts Clone()
    {
        var copy = new WaitingForecasts(_horizonSteps);
        copy.CopyFrom(this);
        return copy;
    }

    /// <summary>Takes over which steps <paramref name="other"/>'s slots wait for; it must be made for the same horizons.</summary>
    public void CopyFrom(WaitingForecasts other) => other._targetSteps.CopyTo(_targetSteps, 0);

    /// <summary>Writes the horizons: their count, then each in steps.</summary>
    public void WriteHorizons(BinaryWriter writer)
    {
        writer.Write(_horizonSteps.Length);
        foreach (int h in _horizonSteps)
            writer.Write(h);
    }

    /// <summary>Reads what <see cref="WriteHorizons"/> wrote.</summary>
    /// <param name="what">Names the state in an error, e.g. "adaptive interval".</param>
    /// <exception cref="InvalidDataException">A count or horizon no writer makes.</exception>
    public static int[] ReadHorizons(BinaryReader reader, string what)
    {
        int count = reader.ReadInt32();
        if (count < 1 || count > MaxHorizons)
            throw new InvalidDataException($"{what} with {count} horizons");
        var horizons = new int[count];
        for (int h = 0; h < count; h++)
        {
            horizons[h] = reader.ReadInt32();
            if (horizons[h] < 1)
                throw new InvalidDataException($"{what} horizon of {horizons[h]} steps");
        }
        return horizons;
    }

    /// <summary>Writes which step each slot waits for.</summary>
    public void WriteSteps(BinaryWriter writer)
    {
        foreach (long step in _targetSteps)
            writer.Write(step);
    }

    /// <summary>Reads what <see cref="WriteSteps"/> wrote, into this instance made for the same horizons.</summary>
    public void ReadSteps(BinaryReader reader)
    {
        for (int i = 0; i < _targetSteps.Length; i++)
            _targetSteps[i] = reader.ReadInt64();
    }

    private int Slot(int horizon, long targetStep)
    {
        long position = targetStep / _stride[horizon] % RingSize;
        return horizon * RingSize + (int)(position < 0 ? position + RingSize : position);
    }
}
