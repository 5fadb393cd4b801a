using Sidecar.Model;
using static TorchSharp.torch;

namespace Sidecar.Pipeline;

/// <summary>
/// The arrays one batched forward call fills, kept from one step to the next, so that a step in steady
/// state allocates none of them. Those sized by the steps of a call (values, lags, calendar) have exactly
/// that length, which the same call keeps; those sized by its series (inputs, outputs, slots and the
/// per-series flags) only grow, because a step's chunks differ in size and the tensors built from them take
/// the prefix they need. The tensors over the inputs and outputs are kept too (<see cref="ArrayTensor"/>).
/// Used by the inference loop only.
/// </summary>
internal sealed class StepBuffers : IDisposable
{
    private float[] _inputs = [], _values = [], _daily = [], _weekly = [], _covariate = [], _lastValues = [], _outputs = [], _levelWarmup = [];
    private long[] _slots = [];
    private bool[] _usable = [];
    private Model.CalendarInputs[] _calendar = [];
    private readonly ArrayTensor _inputsTensor = new(), _outputsTensor = new();

    /// <summary>At least <paramref name="length"/> long; a tensor over it must take the prefix it needs.</summary>
    public float[] Inputs(int length) => Pinned(ref _inputs, length);

    /// <summary>The first <c>batch·steps·features</c> values of <see cref="Inputs"/> as the network's input.</summary>
    public Tensor InputsTensor(int batch, int steps, int features) => _inputsTensor.Prefix(_inputs, batch, steps, features);

    public float[] Values(int length) => Sized(ref _values, length);

    public float[] Daily(int length) => Sized(ref _daily, length);

    public float[] Weekly(int length) => Sized(ref _weekly, length);

    public float[] Covariate(int length) => Sized(ref _covariate, length);

    public float[] LastValues(int length) => AtLeast(ref _lastValues, length);

    /// <summary>At least <paramref name="length"/> long; a tensor over it must take the prefix it needs.</summary>
    public float[] Outputs(int length) => Pinned(ref _outputs, length);

    /// <summary>The first <c>batch·heads·quantiles</c> values of <see cref="Outputs"/>, shaped as the network's outputs.</summary>
    public Tensor OutputsTensor(int batch, int heads, int quantiles) => _outputsTensor.Prefix(_outputs, batch, heads, quantiles);

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

    // On the pinned heap: a kept tensor pins its array for as long as it lives.
    private static float[] Pinned(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
            buffer = GC.AllocateArray<float>(length, pinned: true);
        return buffer;
    }

    public void Dispose()
    {
        _inputsTensor.Dispose();
        _outputsTensor.Dispose();
    }

    private static T[] Sized<T>(ref T[] buffer, int length)
    {
        if (buffer.Length != length)
            buffer = new T[length];
        return buffer;
    }
}
