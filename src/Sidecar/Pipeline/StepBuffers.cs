namespace Sidecar.Pipeline;

/// <summary>
/// The arrays one batched forward call fills, kept from one step to the next, so that a step in steady
/// state allocates none of them. Those sized by the steps of a call (values, lags, calendar) have exactly
/// that length, which the same call keeps; those sized by its series (inputs, outputs, slots and the
/// per-series flags) only grow, because a step's chunks differ in size and the tensors built from them take
/// the prefix they need. Used by the inference loop only.
/// </summary>
internal sealed class StepBuffers
{
    private float[] _inputs = [], _values = [], _daily = [], _weekly = [], _covariate = [], _lastValues = [], _outputs = [], _levelWarmup = [];
    private long[] _slots = [];
    private bool[] _usable = [];
    private Model.CalendarInputs[] _calendar = [];

    /// <summary>At least <paramref name="length"/> long; a tensor over it must take the prefix it needs.</summary>
    public float[] Inputs(int length) => AtLeast(ref _inputs, length);

    public float[] Values(int length) => Sized(ref _values, length);

    public float[] Daily(int length) => Sized(ref _daily, length);

    public float[] Weekly(int length) => Sized(ref _weekly, length);

    public float[] Covariate(int length) => Sized(ref _covariate, length);

    public float[] LastValues(int length) => AtLeast(ref _lastValues, length);

    /// <summary>At least <paramref name="length"/> long; a tensor over it must take the prefix it needs.</summary>
    public float[] Outputs(int length) => AtLeast(ref _outputs, length);

    public float[] LevelWarmup(int length) => Sized(ref _levelWarmup, length);

    /// <summary>At least <paramref name="length"/> long; a tensor over it must take the prefix it needs.</summary>
    public long[] Slots(int length) => AtLeast(ref _slots, length);

    public bool[] Usable(int length) => AtLeast(ref _usable, length);

    public Model.CalendarInputs[] Calendar(int length) => Sized(ref _calendar, length);

    private static T[] AtLeast<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = new T[length];
        return buffer;
    }

    private static T[] Sized<T>(ref T[] buffer, int length)
    {
        if (buffer.Length != length)
            buffer = new T[length];
        return buffer;
    }
}
