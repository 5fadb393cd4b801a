namespace Sidecar.Tests.Support;

/// <summary>
/// The step ring's behaviour in its simplest form, one float per step in a circular array (the layout the
/// store used before it encoded blocks): the oracle the encoded ring is compared with.
/// </summary>
internal sealed class PlainStepRing(int capacity, bool mean)
{
    private readonly float[] _slots = Enumerable.Repeat(float.NaN, capacity).ToArray();
    private long _newestTimestampMs;
    private double _sum;
    private int _count;

    public long NewestStep { get; private set; } = long.MinValue;

    public long FirstStep { get; private set; } = long.MinValue;

    public long NewestTimestampMs => _newestTimestampMs;

    public void Write(long step, long timestampMs, float value)
    {
        if (NewestStep == long.MinValue || step > NewestStep)
        {
            if (NewestStep == long.MinValue)
                FirstStep = step;
            for (long s = Math.Max(NewestStep + 1, step - capacity + 1); NewestStep != long.MinValue && s < step; s++)
                _slots[Slot(s)] = float.NaN;
            _slots[Slot(step)] = value;
            NewestStep = step;
            (_newestTimestampMs, _sum, _count) = (timestampMs, value, 1);
        }
        else if (step == NewestStep)
        {
            if (timestampMs > _newestTimestampMs)
            {
                (_newestTimestampMs, _sum, _count) = (timestampMs, _sum + value, _count + 1);
                _slots[Slot(step)] = mean ? (float)(_sum / _count) : value;
            }
        }
        else if (NewestStep - step < capacity && float.IsNaN(_slots[Slot(step)]))
        {
            _slots[Slot(step)] = value;
            FirstStep = Math.Min(FirstStep, step);
        }
    }

    public void Restore(long first, long newest, long newestTimestampMs, float[] values)
    {
        Array.Fill(_slots, float.NaN);
        var kept = values.AsSpan(Math.Max(0, values.Length - capacity));
        for (int i = 0; i < kept.Length; i++)
            _slots[Slot(newest - kept.Length + 1 + i)] = kept[i];
        (FirstStep, NewestStep, _newestTimestampMs) = (first, newest, newestTimestampMs);
        (_sum, _count) = (kept.IsEmpty ? 0 : kept[^1], 1);
    }

    public float At(long step) =>
        NewestStep == long.MinValue || step > NewestStep || NewestStep - step >= capacity ? float.NaN : _slots[Slot(step)];

    private int Slot(long step) => (int)(((step % capacity) + capacity) % capacity);
}
