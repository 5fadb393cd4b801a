namespace Sidecar.Score;

/// <summary>
/// Which forecasts a <see cref="WaitingForecasts{TPayload}"/> keeps and where: per horizon a ring of
/// <see cref="RingSize"/> slots; on long horizons only every k-th step's forecast is kept (k = ⌈(h + 1) /
/// ring size⌉), so memory stays bounded whatever the horizon. The same for every series of a target, so one
/// instance per set of horizons serves them all (<see cref="For"/>): a step then reads it from cache for
/// every series instead of each series' own copy (issue 19). Immutable.
/// </summary>
internal sealed class WaitingSchedule
{
    /// <summary>Forecasts waiting per horizon, at most.</summary>
    public const int RingSize = 16;

    private const int MaxHorizons = 64;

    // Distinct sets of horizons are few (one per target's configuration); past this many, schedules are
    // made without being kept, so a process that reloads forever can't grow this list.
    private const int MaxShared = 256;

    private static readonly Lock SharedGate = new();
    private static readonly List<WaitingSchedule> Shared = [];

    private readonly int[] _horizonSteps;
    private readonly int[] _stride;

    // Per horizon, log2 of its stride where that is a power of two, else -1: the slot of a step is then a
    // shift, not a 64-bit division, which a step would otherwise make twice per horizon and series.
    private readonly int[] _strideShift;

    private WaitingSchedule(int[] horizonSteps)
    {
        _horizonSteps = horizonSteps;
        _stride = [.. horizonSteps.Select(h => Math.Max(1, (h + RingSize) / RingSize))];
        _strideShift = [.. _stride.Select(s => System.Numerics.BitOperations.IsPow2(s) ? System.Numerics.BitOperations.Log2((uint)s) : -1)];
    }

    /// <summary>The schedule of <paramref name="horizonSteps"/>, shared with every other user of the same horizons.</summary>
    public static WaitingSchedule For(IReadOnlyList<int> horizonSteps)
    {
        lock (SharedGate)
        {
            foreach (WaitingSchedule schedule in Shared)
            {
                if (schedule.Fits(horizonSteps))
                    return schedule;
            }
            var made = new WaitingSchedule([.. horizonSteps]);
            if (Shared.Count < MaxShared)
                Shared.Add(made);
            return made;
        }
    }

    /// <summary>The horizons, in steps.</summary>
    public IReadOnlyList<int> HorizonSteps => _horizonSteps;

    /// <summary>Horizon <paramref name="horizon"/> in steps: <see cref="HorizonSteps"/> without an interface call, for every forecast a step records.</summary>
    public int StepsOf(int horizon) => _horizonSteps[horizon];

    public int Horizons => _horizonSteps.Length;

    /// <summary>How many slots a ring set of this schedule has: every horizon's ring.</summary>
    public int Slots => _horizonSteps.Length * RingSize;

    /// <summary>Every how many steps horizon <paramref name="horizon"/> keeps a forecast.</summary>
    public int Stride(int horizon) => _stride[horizon];

    /// <summary>Whether the forecast of <paramref name="horizon"/> made at <paramref name="step"/> is one this schedule keeps.</summary>
    public bool Keeps(int horizon, long step)
    {
        int shift = _strideShift[horizon];
        // A power of two divides a step, negative or not, exactly when the step's low bits are zero.
        return shift >= 0 ? (step & ((1L << shift) - 1)) == 0 : step % _stride[horizon] == 0;
    }

    /// <summary>The slot of <paramref name="horizon"/>'s ring that holds the forecast for <paramref name="targetStep"/>.</summary>
    public int Slot(int horizon, long targetStep)
    {
        int shift = _strideShift[horizon];
        // Division truncates towards zero and a shift floors: they agree on the steps there are (not negative).
        long position = (shift >= 0 && targetStep >= 0 ? targetStep >> shift : targetStep / _stride[horizon]) % RingSize;
        return horizon * RingSize + (int)(position < 0 ? position + RingSize : position);
    }

    public bool Fits(IReadOnlyList<int> horizonSteps) => horizonSteps.SequenceEqual(_horizonSteps);

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
    public static WaitingSchedule ReadHorizons(BinaryReader reader, string what)
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
        return For(horizons);
    }
}
