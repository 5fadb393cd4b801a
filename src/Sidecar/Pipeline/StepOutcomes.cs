namespace Sidecar.Pipeline;

/// <summary>
/// The outcomes a step's planning loop meets (a series' id, the step it closed and its value there),
/// gathered to be judged together after the loop (<see cref="Score.AdaptiveIntervals.ObserveMany"/>) rather
/// than one series at a time inside it. Kept from one step to the next, so a step in steady state allocates
/// nothing. Used by the inference loop only.
/// </summary>
internal sealed class StepOutcomes
{
    private int[] _rows = new int[256];
    private long[] _steps = new long[256];
    private float[] _actuals = new float[256];

    public int Count { get; private set; }

    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>The step each of <see cref="Rows"/> closed, in the same order.</summary>
    public ReadOnlySpan<long> Steps => _steps.AsSpan(0, Count);

    /// <summary>The value of each of <see cref="Rows"/> at its step, in the same order.</summary>
    public ReadOnlySpan<float> Actuals => _actuals.AsSpan(0, Count);

    public void Add(int row, long step, float actual)
    {
        if (Count == _rows.Length)
        {
            Array.Resize(ref _rows, Count * 2);
            Array.Resize(ref _steps, Count * 2);
            Array.Resize(ref _actuals, Count * 2);
        }
        _rows[Count] = row;
        _steps[Count] = step;
        _actuals[Count] = actual;
        Count++;
    }

    public void Clear() => Count = 0;
}
