using Sidecar.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Tests.Model;

/// <summary>
/// <see cref="ArrayTensor"/> keeps one tensor over an array's memory from one call to the next: it must
/// read what the array holds now, write into the array, outlive the caller's dispose scopes, and be made
/// again when the array or the shape changes.
/// </summary>
public sealed class ArrayTensorTests
{
    [Fact]
    public void AKeptPrefixSharesTheArrayAndOutlivesTheCallersDisposeScope()
    {
        using var kept = new ArrayTensor();
        float[] array = [.. Enumerable.Range(0, 30).Select(i => (float)i)];
        Tensor first;
        using (torch.NewDisposeScope())
            first = kept.Prefix(array, 2, 3, 4);
        Assert.Equal([2L, 3, 4], first.shape);
        Assert.Equal(array[..24], first.data<float>().ToArray());

        // Asked again for the same view: the same tensor, reading what the array holds now.
        array[5] = -1;
        using (torch.NewDisposeScope())
            Assert.Same(first, kept.Prefix(array, 2, 3, 4));
        Assert.Equal(-1f, first[0, 1, 1].item<float>());

        // Written through the tensor: the array holds it.
        using (torch.NewDisposeScope())
            first.copy_(torch.full(2, 3, 4, 7f));
        Assert.All(array[..24], v => Assert.Equal(7f, v));
        Assert.Equal(24f, array[24]);
    }

    [Fact]
    public void AnotherArrayOrShapeMakesTheTensorAgain()
    {
        using var kept = new ArrayTensor();
        float[] array = [.. Enumerable.Range(0, 12).Select(i => (float)i)];
        Tensor byShape = kept.Prefix(array, 1, 2, 3);
        Tensor reshaped = kept.Prefix(array, 2, 2, 3);
        Assert.NotSame(byShape, reshaped);
        Assert.True(byShape.IsInvalid); // the one replaced is disposed, not left to the finalizer
        Assert.Equal(array, reshaped.data<float>().ToArray());

        float[] other = [.. Enumerable.Range(100, 12).Select(i => (float)i)];
        Tensor moved = kept.Prefix(other, 2, 2, 3);
        Assert.NotSame(reshaped, moved);
        Assert.Equal(other, moved.data<float>().ToArray());
    }

    [Fact]
    public void RowsAreTheSameSlotsOfEveryLayer()
    {
        using var kept = new ArrayTensor();
        const int Layers = 2, Slots = 5, Width = 3;
        float[] array = [.. Enumerable.Range(0, Layers * Slots * Width).Select(i => (float)i)];
        Tensor rows = kept.Rows(array, Layers, Width, first: 1, count: 2);
        Assert.Equal([2L, 2, 3], rows.shape);
        // Layer 0's slots 1 and 2, then layer 1's: the layers a slot count (15 values) apart.
        Assert.Equal([3f, 4, 5, 6, 7, 8, 18, 19, 20, 21, 22, 23], rows.contiguous().data<float>().ToArray());
        Assert.Same(rows, kept.Rows(array, Layers, Width, first: 1, count: 2));
        Assert.NotSame(rows, kept.Rows(array, Layers, Width, first: 2, count: 2));
    }
}
