using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// A tensor over a managed array, kept from one call to the next while the array and the shape asked for
/// stay the same. <c>torch.from_array</c> shares the array's memory (pinned while the tensor lives), so
/// what the caller writes into the array the tensor reads, and the other way round.
/// </summary>
/// <remarks>
/// The inference step makes the same views at every step: of its inputs and outputs, and of its batch's
/// rows of the carried states. Made anew at every step, each took three TorchSharp calls (from_array,
/// narrow, view), and each call a managed tensor, a native one and an entry in a dispose scope: twelve
/// calls, about 30 ns a series of a 1,024-series step, a tenth of all it did beside the forward (bench
/// inference, a build timing the step's parts, issue 19). Kept, a steady step makes none of them.
/// One instance serves one use (one array's views of one kind); the tensor it returns stays its own:
/// valid until it is asked for another view or disposed, and never disposed by the caller or by a dispose
/// scope. Not thread-safe: each user calls it from one thread (the pipeline's step, under its lock).
/// </remarks>
internal sealed class ArrayTensor : IDisposable
{
    private Tensor? _tensor;
    private float[]? _array;
    private (long, long, long, long) _shape;

    /// <summary>The first <c>d0·d1·d2</c> values of <paramref name="array"/> as <c>[d0, d1, d2]</c>.</summary>
    public Tensor Prefix(float[] array, long d0, long d1, long d2)
    {
        if (!Holds(array, (d0, d1, d2, 0)))
        {
            using (NewDisposeScope())
                Keep(array, (d0, d1, d2, 0), from_array(array).narrow(0, 0, d0 * d1 * d2).view(d0, d1, d2));
        }
        return _tensor!;
    }

    /// <summary>
    /// Of <paramref name="array"/> as <c>[layers, slots, width]</c> (slots: however many its length holds),
    /// the rows <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 of every
    /// layer, as <c>[layers, count, width]</c>: not contiguous, the layers a slot count apart.
    /// </summary>
    public Tensor Rows(float[] array, long layers, long width, long first, long count)
    {
        if (!Holds(array, (layers, width, first, count)))
        {
            using (NewDisposeScope())
                Keep(array, (layers, width, first, count), from_array(array).view(layers, array.Length / (layers * width), width).narrow(1, first, count));
        }
        return _tensor!;
    }

    /// <summary>Lets the array go: the tensor is disposed, and the array unpinned once libtorch frees its storage.</summary>
    public void Dispose()
    {
        _tensor?.Dispose();
        _tensor = null;
        _array = null;
    }

    private bool Holds(float[] array, (long, long, long, long) shape) =>
        _tensor is not null && ReferenceEquals(array, _array) && shape == _shape;

    // Called inside a dispose scope of its own, which disposes the intermediate tensors; the kept one leaves it.
    private void Keep(float[] array, (long, long, long, long) shape, Tensor tensor)
    {
        Dispose();
        _tensor = tensor.DetachFromDisposeScope();
        _array = array;
        _shape = shape;
    }
}
