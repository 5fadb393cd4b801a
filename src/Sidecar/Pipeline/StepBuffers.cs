namespace Sidecar.Pipeline;

/// <summary>
/// The arrays one batched pipeline call fills, kept from one step to the next: in steady state every step
/// has the same batch shape, so a step allocates none of them. Each array has exactly the length asked for,
/// because the tensors built from them take whole arrays; a new length replaces it. Used by the inference
/// loop only.
/// </summary>
internal sealed class StepBuffers
{
    private float[] _inputs = [], _values = [], _daily = [], _weekly = [], _covariate = [], _lastValues = [], _outputs = [], _levelWarmup = [];
    private long[] _slots = [];
    private bool[] _usable = [];
    private Model.CalendarInputs[] _calendar = [];

    public float[] Inputs(int length) => Sized(ref _inputs, length);

    public float[] Values(int length) => Sized(ref _values, length);

    public float[] Daily(int length) => Sized(ref _daily, length);

    public float[] Weekly(int length) => Sized(ref _weekly, length);

    public float[] Covariate(int length) => Sized(ref _covariate, length);

    public float[] LastValues(int length) => Sized(ref _lastValues, length);

    public float[] Outputs(int length) => Sized(ref _outputs, length);

    public float[] LevelWarmup(int length) => Sized(ref _levelWarmup, length);

    public long[] Slots(int length) => Sized(ref _slots, length);

    public bool[] Usable(int length) => Sized(ref _usable, length);

    public Model.CalendarInputs[] Calendar(int length) => Sized(ref _calendar, length);

    private static T[] Sized<T>(ref T[] buffer, int length)
    {
        if (buffer.Length != length)
            buffer = new T[length];
        return buffer;
    }
}
