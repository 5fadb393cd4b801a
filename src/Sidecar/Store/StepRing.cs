namespace Sidecar.Store;

/// <summary>
/// A fixed-step history of one series: per step the last value seen (or the mean of the step's samples),
/// NaN for a step without data.
/// Steps are absolute (<c>timestamp / step</c>), so two series of a target line up. Not thread-safe:
/// <see cref="Series"/> guards it.
/// </summary>
internal sealed class StepRing(int capacity, bool mean = false)
{
    private readonly float[] _values = CreateEmpty(capacity);

    // Time of the sample held for the newest step, so that only a later one replaces it.
    private long _newestTimestampMs;

    // Running sum and count of the newest step's samples, for mean aggregation.
    private double _newestSum;
    private int _newestCount;

    /// <summary>The newest step that holds data; <see cref="long.MinValue"/> before the first sample.</summary>
    public long NewestStep { get; private set; } = long.MinValue;

    /// <summary>The first step ever written; with <see cref="NewestStep"/> it tells how much history exists.</summary>
    public long FirstStep { get; private set; } = long.MinValue;

    public int Capacity => _values.Length;

    public bool IsEmpty => NewestStep == long.MinValue;

    /// <summary>Records the sample (<paramref name="timestampMs"/>, <paramref name="value"/>), which falls in <paramref name="step"/>.</summary>
    /// <returns>True when the write moved to a newer step, which closes every earlier one.</returns>
    public bool Write(long step, long timestampMs, float value)
    {
        if (IsEmpty)
        {
            NewestStep = step;
            FirstStep = step;
            StartNewest(timestampMs, value);
            _values[Slot(step)] = value;
            return false;
        }
        if (step == NewestStep)
        {
            // A later sample of the step replaces the value (or joins the mean); an equal or older one
            // (a retry, a backfill) changes nothing.
            if (timestampMs > _newestTimestampMs)
            {
                _newestTimestampMs = timestampMs;
                _newestSum += value;
                _newestCount++;
                _values[Slot(step)] = mean ? (float)(_newestSum / _newestCount) : value;
            }
            return false;
        }
        if (step > NewestStep)
        {
            StartNewest(timestampMs, value);
            long gap = Math.Min(step - NewestStep - 1, _values.Length);
            for (long s = step - gap; s < step; s++)
                _values[Slot(s)] = float.NaN;
            _values[Slot(step)] = value;
            NewestStep = step;
            return true;
        }
        // A late sample may fill a gap inside the retained history, but never overwrites a value:
        // a re-sent duplicate must not change what was already recorded.
        if (NewestStep - step < _values.Length && float.IsNaN(_values[Slot(step)]))
        {
            _values[Slot(step)] = value;
            FirstStep = Math.Min(FirstStep, step);
        }
        return false;
    }

    private void StartNewest(long timestampMs, float value)
    {
        _newestTimestampMs = timestampMs;
        _newestSum = value;
        _newestCount = 1;
    }

    /// <summary>The time of the sample held for <see cref="NewestStep"/>.</summary>
    public long NewestTimestampMs => _newestTimestampMs;

    /// <summary>
    /// Replaces the ring's content with restored history: <paramref name="values"/> are the steps that end
    /// at <paramref name="newest"/>, oldest first.
    /// </summary>
    public void Restore(long first, long newest, long newestTimestampMs, ReadOnlySpan<float> values)
    {
        Array.Fill(_values, float.NaN);
        if (values.Length > _values.Length)
            values = values[^_values.Length..];
        long oldest = newest - values.Length + 1;
        for (int i = 0; i < values.Length; i++)
            _values[Slot(oldest + i)] = values[i];
        FirstStep = first;
        NewestStep = newest;
        _newestTimestampMs = newestTimestampMs;
        _newestSum = values.IsEmpty ? 0 : values[^1];
        _newestCount = 1;
    }

    /// <summary>The value at <paramref name="step"/>, or NaN when it is a gap or outside the history.</summary>
    public float At(long step)
    {
        if (IsEmpty || step > NewestStep || NewestStep - step >= _values.Length)
            return float.NaN;
        return _values[Slot(step)];
    }

    /// <summary>Copies the steps that end at <paramref name="lastStep"/> into <paramref name="destination"/>, oldest first.</summary>
    public void Copy(long lastStep, Span<float> destination)
    {
        long first = lastStep - destination.Length + 1;
        for (int i = 0; i < destination.Length; i++)
            destination[i] = At(first + i);
    }

    private int Slot(long step)
    {
        long slot = step % _values.Length;
        return (int)(slot < 0 ? slot + _values.Length : slot);
    }

    private static float[] CreateEmpty(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var values = new float[capacity];
        Array.Fill(values, float.NaN);
        return values;
    }
}
