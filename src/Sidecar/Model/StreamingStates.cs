using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// The carried LSTM state <c>(h, c)</c> of every series of a target, one slot per series id, kept as two
/// arrays <c>[layers, slots, hidden]</c>, row-major. A batch of consecutive slots (a target's steady state)
/// is read where it lies and its new state copied back in one piece; any other batch copies its rows out
/// into a batch buffer that the network reads in place, runs, and copies the new state back row by row.
/// </summary>
/// <remarks>
/// Until 2026-12-05 the states were native tensors, gathered with <c>index_select</c> and scattered with
/// <c>index_copy_</c>. libtorch's <c>index_copy_</c> pays about 40 ns per index on one thread: 90 µs of a
/// 1,024-series step, three times its <c>index_select</c>, as much as a tenth of the forward (issue 19).
/// Row copies of <c>hidden</c> floats from managed arrays cost a few nanoseconds each, and the network's
/// inputs and outputs already cross as shared arrays (<c>torch.from_array</c>); see docs/performance.md.
/// </remarks>
internal sealed class StreamingStates(int layers, int hiddenSize)
{
    private float[] _hidden = [];
    private float[] _cell = [];

    // A batch's rows, [layers, batch, hidden], kept from one step to the next like the pipeline's other buffers.
    private float[] _batchHidden = [];
    private float[] _batchCell = [];

    public int Slots { get; private set; }

    /// <summary>Grows the slot count to at least <paramref name="slots"/>, doubling so growth is rare; new slots hold zeros.</summary>
    public void EnsureSlots(int slots)
    {
        if (slots <= Slots)
            return;
        int grown = Math.Max(slots, Math.Max(64, Slots * 2));
        _hidden = Grow(_hidden, grown);
        _cell = Grow(_cell, grown);
        Slots = grown;
    }

    /// <summary>Runs <paramref name="network"/> (through <see cref="LstmNetwork.Infer"/>) on <paramref name="inputs"/> <c>[batch, steps, features]</c>
    /// from the state of the first <c>batch</c> entries of <paramref name="slots"/> (zero where <paramref name="fresh"/>),
    /// stores the state after the last step, and returns the outputs of the last step <c>[batch, heads, quantiles]</c>.</summary>
    public Tensor Run(LstmNetwork network, Tensor inputs, long[] slots, bool fresh)
    {
        using var scope = torch.NewDisposeScope();
        int batch = (int)inputs.shape[0];
        if (Consecutive(slots, batch))
        {
            // The steady state of a target whose series all closed a step: ids, so slots, one after another.
            // Their rows already sit together in each layer, so the network reads them where they are and
            // the new state goes back by one native copy each, with no gather or scatter (issue 19).
            Tensor hidden = SlotsView(_hidden, slots[0], batch), cell = SlotsView(_cell, slots[0], batch);
            var (runOutput, runHidden, runCell) = network.Infer(inputs, fresh ? null : hidden, fresh ? null : cell);
            hidden.copy_(runHidden);
            cell.copy_(runCell);
            return runOutput.select(1, -1).MoveToOuterDisposeScope();
        }
        // Only a batch that isn't one run needs the batch buffers: a target in steady state never makes them.
        int length = layers * batch * hiddenSize;
        if (_batchHidden.Length < length)
        {
            _batchHidden = new float[length];
            _batchCell = new float[length];
        }
        Tensor batchHidden = BatchView(_batchHidden, batch), batchCell = BatchView(_batchCell, batch);
        if (!fresh)
        {
            Gather(_hidden, _batchHidden, slots, batch);
            Gather(_cell, _batchCell, slots, batch);
        }
        var (output, newHidden, newCell) = network.Infer(inputs, fresh ? null : batchHidden, fresh ? null : batchCell);
        // The network has read the batch buffers by now; they take the new state, one native copy each.
        batchHidden.copy_(newHidden);
        batchCell.copy_(newCell);
        Scatter(_batchHidden, _hidden, slots, batch);
        Scatter(_batchCell, _cell, slots, batch);
        return output.select(1, -1).MoveToOuterDisposeScope();
    }

    /// <summary>Bytes the hidden and cell states hold, for every slot allocated (managed memory).</summary>
    public long Bytes => ((long)_hidden.Length + _cell.Length + _batchHidden.Length + _batchCell.Length) * sizeof(float);

    /// <summary>Copies every slot's state out: <c>[layers, slots, hidden]</c> each, row-major.</summary>
    public (float[] Hidden, float[] Cell) Export() => ([.. _hidden], [.. _cell]);

    /// <summary>Puts one slot's saved state back: <paramref name="hidden"/> and <paramref name="cell"/> are <c>[layers, hidden]</c>.</summary>
    public void Import(int slot, float[] hidden, float[] cell)
    {
        EnsureSlots(slot + 1);
        for (int layer = 0; layer < layers; layer++)
        {
            hidden.AsSpan(layer * hiddenSize, hiddenSize).CopyTo(Row(_hidden, layer, slot));
            cell.AsSpan(layer * hiddenSize, hiddenSize).CopyTo(Row(_cell, layer, slot));
        }
    }

    private Span<float> Row(float[] state, int layer, long slot) => state.AsSpan((int)(((long)layer * Slots + slot) * hiddenSize), hiddenSize);

    private static bool Consecutive(long[] slots, int batch)
    {
        long first = slots[0];
        for (int b = 1; b < batch; b++)
        {
            if (slots[b] != first + b)
                return false;
        }
        return true;
    }

    // Slots first to first + batch − 1 of a state array as [layers, batch, hidden], sharing its memory: each
    // layer's rows are one block, the layers a slot count apart.
    private Tensor SlotsView(float[] state, long first, int batch) =>
        torch.from_array(state).view(layers, Slots, hiddenSize).narrow(1, first, batch);

    // The batch's prefix of a buffer as [layers, batch, hidden], sharing its memory (pinned while the tensor lives).
    private Tensor BatchView(float[] buffer, int batch) =>
        torch.from_array(buffer).narrow(0, 0, (long)layers * batch * hiddenSize).view(layers, batch, hiddenSize);

    private void Gather(float[] state, float[] batchRows, long[] slots, int batch)
    {
        for (int layer = 0; layer < layers; layer++)
        {
            Span<float> rows = batchRows.AsSpan(layer * batch * hiddenSize, batch * hiddenSize);
            for (int b = 0; b < batch; b++)
                Row(state, layer, slots[b]).CopyTo(rows.Slice(b * hiddenSize, hiddenSize));
        }
    }

    private void Scatter(float[] batchRows, float[] state, long[] slots, int batch)
    {
        for (int layer = 0; layer < layers; layer++)
        {
            ReadOnlySpan<float> rows = batchRows.AsSpan(layer * batch * hiddenSize, batch * hiddenSize);
            for (int b = 0; b < batch; b++)
                rows.Slice(b * hiddenSize, hiddenSize).CopyTo(Row(state, layer, slots[b]));
        }
    }

    // Slots are the middle dimension, so each layer's rows move to their place in the longer layout.
    private float[] Grow(float[] state, int slots)
    {
        var grown = new float[(long)layers * slots * hiddenSize];
        for (int layer = 0; layer < layers; layer++)
            state.AsSpan(layer * Slots * hiddenSize, Slots * hiddenSize).CopyTo(grown.AsSpan(layer * slots * hiddenSize));
        return grown;
    }
}
