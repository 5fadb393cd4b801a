using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// The carried LSTM state <c>(h, c)</c> of every series of a target, one slot per series id, kept as two
/// native tensors <c>[layers, slots, hidden]</c>. A batch gathers its rows by index, runs, and scatters
/// the new state back, so the state never round-trips through managed memory.
/// </summary>
internal sealed class StreamingStates(int layers, int hiddenSize) : IDisposable
{
    private Tensor _hidden = torch.zeros(layers, 0, hiddenSize);
    private Tensor _cell = torch.zeros(layers, 0, hiddenSize);

    public int Slots => (int)_hidden.shape[1];

    /// <summary>Grows the slot count to at least <paramref name="slots"/>, doubling so growth is rare.</summary>
    public void EnsureSlots(int slots)
    {
        if (slots <= Slots)
            return;
        int grown = Math.Max(slots, Math.Max(64, Slots * 2));
        _hidden = Grow(_hidden, grown);
        _cell = Grow(_cell, grown);
    }

    /// <summary>Runs <paramref name="network"/> (through <see cref="LstmNetwork.Infer"/>) on <paramref name="inputs"/> <c>[batch, steps, features]</c>
    /// from the state of the first <c>batch</c> entries of <paramref name="slots"/> (zero where <paramref name="fresh"/>),
    /// stores the state after the last step, and returns the outputs of the last step <c>[batch, heads, quantiles]</c>.</summary>
    public Tensor Run(LstmNetwork network, Tensor inputs, long[] slots, bool fresh)
    {
        using var scope = torch.NewDisposeScope();
        // Shares the array's memory instead of cloning it, as the pipeline's other per-step arrays do; the
        // array may be longer than the batch (the pipeline keeps it at its largest chunk).
        Tensor index = torch.from_array(slots).narrow(0, 0, inputs.shape[0]);
        Tensor? h = fresh ? null : _hidden.index_select(1, index);
        Tensor? c = fresh ? null : _cell.index_select(1, index);
        var (output, newHidden, newCell) = network.Infer(inputs, h, c);
        _hidden.index_copy_(1, index, newHidden);
        _cell.index_copy_(1, index, newCell);
        return output.select(1, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Native bytes the hidden and cell states hold, for every slot allocated.</summary>
    public long Bytes => (_hidden.numel() + _cell.numel()) * sizeof(float);

    /// <summary>Copies every slot's state out: <c>[layers, slots, hidden]</c> each, row-major.</summary>
    public (float[] Hidden, float[] Cell) Export() => (_hidden.data<float>().ToArray(), _cell.data<float>().ToArray());

    /// <summary>Puts one slot's saved state back: <paramref name="hidden"/> and <paramref name="cell"/> are <c>[layers, hidden]</c>.</summary>
    public void Import(int slot, float[] hidden, float[] cell)
    {
        EnsureSlots(slot + 1);
        long layers = _hidden.shape[0], size = _hidden.shape[2];
        using var h = torch.tensor(hidden, [layers, size]);
        using var c = torch.tensor(cell, [layers, size]);
        _hidden.select(1, slot).copy_(h);
        _cell.select(1, slot).copy_(c);
    }

    private static Tensor Grow(Tensor state, int slots)
    {
        var grown = torch.zeros(state.shape[0], slots, state.shape[2]);
        if (state.shape[1] > 0)
            grown.narrow(1, 0, state.shape[1]).copy_(state);
        state.Dispose();
        return grown;
    }

    public void Dispose()
    {
        _hidden.Dispose();
        _cell.Dispose();
    }
}
