using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// The carried LSTM state <c>(h, c)</c> of every series of a target, one slot per series id, kept as two
/// arrays <c>[layers, slots, hidden]</c>, row-major. A batch of consecutive slots (a target's steady state)
/// is read where it lies the first time, and its new state is kept as the network returned it (a kept run):
/// the next batch of the same slots starts from those tensors, and nothing is copied back. Any other batch
/// copies its rows out into a batch buffer that the network reads in place, runs, and copies the new state
/// back row by row. Whatever reads or writes the arrays' rows (another batch, an import, an export) first
/// copies the kept runs it could meet into them.
/// </summary>
/// <remarks>
/// Until 2026-12-05 the states were native tensors, gathered with <c>index_select</c> and scattered with
/// <c>index_copy_</c>. libtorch's <c>index_copy_</c> pays about 40 ns per index on one thread: 90 µs of a
/// 1,024-series step, three times its <c>index_select</c>, as much as a tenth of the forward (issue 19).
/// Row copies of <c>hidden</c> floats from managed arrays cost a few nanoseconds each, and the network's
/// inputs and outputs already cross as shared arrays (<c>torch.from_array</c>); see docs/performance-history.md.
/// The tensors over the arrays are kept from one step to the next (<see cref="ArrayTensor"/>): made at every
/// step, they were most of what the step's forward cost beyond the network's own (issue 19).
/// Until 2026-12-06 a consecutive batch's new state was copied back into the arrays at every step: two
/// copies of 256 KB a step at 1,024 series, and the network then read its state through strided views of
/// the arrays. Kept as returned, the whole step ran about 7 % faster (bench inference, batch 1,024, median
/// of six pairs of runs), at the price of a second copy of the stepped series' states: the arrays keep theirs.
/// </remarks>
internal sealed class StreamingStates(int layers, int hiddenSize) : IDisposable
{
    private float[] _hidden = [];
    private float[] _cell = [];

    // A batch's rows, [layers, batch, hidden], kept from one step to the next like the pipeline's other buffers.
    private float[] _batchHidden = [];
    private float[] _batchCell = [];

    // The tensors over those arrays that a step reads and writes, kept while the batch stays where it was.
    private readonly ArrayTensor _hiddenRows = new(), _cellRows = new(), _batchHiddenView = new(), _batchCellView = new();

    // The newest state of runs of consecutive slots, as the network returned it; newer than the arrays' rows
    // of those slots. No two overlap. One per forward chunk of a target in steady state (TargetPipeline).
    private readonly List<KeptRun> _kept = [];

    public int Slots { get; private set; }

    /// <summary>Grows the slot count to at least <paramref name="slots"/>, doubling so growth is rare; new slots hold zeros.</summary>
    public void EnsureSlots(int slots)
    {
        if (slots <= Slots)
            return;
        // The kept runs stay as they are: they hold slots by number, which growth keeps.
        int grown = Math.Max(slots, Math.Max(64, Slots * 2));
        _hidden = Grow(_hidden, grown);
        _cell = Grow(_cell, grown);
        Slots = grown;
        // Views of the old arrays would keep them pinned and alive until the next batch.
        _hiddenRows.Dispose();
        _cellRows.Dispose();
    }

    /// <summary>Runs <paramref name="network"/> (through <see cref="LstmNetwork.Infer"/>) on <paramref name="inputs"/> <c>[batch, steps, features]</c>
    /// from the state of the first <c>batch</c> entries of <paramref name="slots"/> (zero where <paramref name="fresh"/>),
    /// stores the state after the last step, and returns the outputs of the last step <c>[batch, heads, quantiles]</c>.</summary>
    public Tensor Run(LstmNetwork network, Tensor inputs, long[] slots, bool fresh)
    {
        using var scope = torch.NewDisposeScope();
        int batch = (int)inputs.size(0); // not shape, which makes an array of every dimension
        if (Consecutive(slots, batch))
        {
            // The steady state of a target whose series all closed a step: ids, so slots, one after another.
            // The same run as last step starts from the state the network returned then; another one's rows
            // already sit together in each layer, so the network reads them where they are. No gather or
            // scatter (issue 19).
            long first = slots[0];
            int same = KeptRunAt(first, batch);
            Tensor? hidden = null, cell = null;
            if (same < 0)
                CopyKeptRunsBack(first, batch); // the rows read below, or that the new run will hold, must be current
            if (fresh)
            {
                // Starts from zeros, whatever the slots held.
            }
            else if (same >= 0)
            {
                (hidden, cell) = (_kept[same].Hidden, _kept[same].Cell);
            }
            else
            {
                hidden = _hiddenRows.Rows(_hidden, layers, hiddenSize, first, batch);
                cell = _cellRows.Rows(_cell, layers, hiddenSize, first, batch);
            }
            var (runOutput, runHidden, runCell) = network.Infer(inputs, hidden, cell);
            var run = new KeptRun(first, batch, runHidden.DetachFromDisposeScope(), runCell.DetachFromDisposeScope());
            if (same >= 0)
            {
                _kept[same].Dispose();
                _kept[same] = run;
            }
            else
            {
                _kept.Add(run);
            }
            return runOutput.select(1, -1).MoveToOuterDisposeScope();
        }
        // The rows gathered and scattered below are the arrays': none may be newer elsewhere.
        CopyKeptRunsBack(0, Slots);
        // Only a batch that isn't one run needs the batch buffers: a target in steady state never makes them.
        int length = layers * batch * hiddenSize;
        if (_batchHidden.Length < length)
        {
            _batchHidden = GC.AllocateArray<float>(length, pinned: true);
            _batchCell = GC.AllocateArray<float>(length, pinned: true);
        }
        Tensor batchHidden = _batchHiddenView.Prefix(_batchHidden, layers, batch, hiddenSize);
        Tensor batchCell = _batchCellView.Prefix(_batchCell, layers, batch, hiddenSize);
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

    /// <summary>Bytes the hidden and cell states hold: every slot allocated (managed memory) and the kept runs (native).</summary>
    public long Bytes
    {
        get
        {
            long floats = (long)_hidden.Length + _cell.Length + _batchHidden.Length + _batchCell.Length;
            foreach (KeptRun run in _kept)
                floats += 2L * layers * run.Count * hiddenSize;
            return floats * sizeof(float);
        }
    }

    /// <summary>Copies every slot's state out: <c>[layers, slots, hidden]</c> each, row-major.</summary>
    public (float[] Hidden, float[] Cell) Export()
    {
        CopyKeptRunsBack(0, Slots);
        return ([.. _hidden], [.. _cell]);
    }

    /// <summary>Puts one slot's saved state back: <paramref name="hidden"/> and <paramref name="cell"/> are <c>[layers, hidden]</c>.</summary>
    public void Import(int slot, float[] hidden, float[] cell)
    {
        EnsureSlots(slot + 1);
        CopyKeptRunsBack(slot, 1); // a kept run holding the slot would otherwise overrule what is written here
        for (int layer = 0; layer < layers; layer++)
        {
            hidden.AsSpan(layer * hiddenSize, hiddenSize).CopyTo(Row(_hidden, layer, slot));
            cell.AsSpan(layer * hiddenSize, hiddenSize).CopyTo(Row(_cell, layer, slot));
        }
    }

    private Span<float> Row(float[] state, int layer, long slot) => state.AsSpan((int)(((long)layer * Slots + slot) * hiddenSize), hiddenSize);

    // The kept run of exactly these slots; -1 for none.
    private int KeptRunAt(long first, int count)
    {
        for (int i = 0; i < _kept.Count; i++)
        {
            if (_kept[i].First == first && _kept[i].Count == count)
                return i;
        }
        return -1;
    }

    /// <summary>Copies every kept run that holds any of the slots <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> − 1 into the arrays, and lets it go.</summary>
    private void CopyKeptRunsBack(long first, long count)
    {
        for (int i = _kept.Count - 1; i >= 0; i--)
        {
            KeptRun run = _kept[i];
            if (run.First >= first + count || run.First + run.Count <= first)
                continue;
            _hiddenRows.Rows(_hidden, layers, hiddenSize, run.First, run.Count).copy_(run.Hidden);
            _cellRows.Rows(_cell, layers, hiddenSize, run.First, run.Count).copy_(run.Cell);
            run.Dispose();
            _kept.RemoveAt(i);
        }
    }

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

    /// <summary>Copies the kept runs back into the arrays and lets the arrays' tensors go (the arrays stay readable: <see cref="Export"/>).</summary>
    public void Dispose()
    {
        CopyKeptRunsBack(0, Slots);
        _hiddenRows.Dispose();
        _cellRows.Dispose();
        _batchHiddenView.Dispose();
        _batchCellView.Dispose();
    }

    /// <summary>The state of slots <see cref="First"/> to <see cref="First"/> + <see cref="Count"/> − 1 after the network's last step of them, <c>[layers, count, hidden]</c> each.</summary>
    private sealed record KeptRun(long First, int Count, Tensor Hidden, Tensor Cell) : IDisposable
    {
        public void Dispose()
        {
            Hidden.Dispose();
            Cell.Dispose();
        }
    }

    // Slots are the middle dimension, so each layer's rows move to their place in the longer layout. On the
    // pinned heap: the step's tensors over the arrays pin them for as long as they are kept (ArrayTensor).
    private float[] Grow(float[] state, int slots)
    {
        float[] grown = GC.AllocateArray<float>(checked(layers * slots * hiddenSize), pinned: true);
        for (int layer = 0; layer < layers; layer++)
            state.AsSpan(layer * Slots * hiddenSize, Slots * hiddenSize).CopyTo(grown.AsSpan(layer * slots * hiddenSize));
        return grown;
    }
}
