using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// A stacked LSTM that reads one row of features per step and, at every step, predicts each head's
/// quantiles of the scaled change from the current level. Quantiles can't cross: the median is a free
/// output and the others are the median plus or minus cumulative softplus gaps.
/// Input <c>[batch, steps, features]</c>; output <c>[batch, steps, heads, quantiles]</c>.
/// </summary>
internal sealed class LstmNetwork : nn.Module<Tensor, Tensor>
{
    private readonly LSTM _lstm;
    private readonly Linear _head;
    private readonly int _heads;
    private readonly int _quantiles;
    private readonly int _median;

    public LstmNetwork(int features, int hiddenSize, int layers, int heads, int quantiles, int medianIndex) : base(nameof(LstmNetwork))
    {
        _lstm = nn.LSTM(inputSize: features, hiddenSize: hiddenSize, numLayers: layers, batchFirst: true);
        _head = nn.Linear(hiddenSize, heads * quantiles);
        _heads = heads;
        _quantiles = quantiles;
        _median = medianIndex;
        Features = features;
        HiddenSize = hiddenSize;
        Layers = layers;
        RegisterComponents();
    }

    public int Features { get; }

    public int HiddenSize { get; }

    public int Layers { get; }

    /// <summary>Runs a sequence from a zero state.</summary>
    public override Tensor forward(Tensor input)
    {
        var (output, hidden, cell) = Forward(input, null, null);
        hidden.Dispose();
        cell.Dispose();
        return output;
    }

    /// <summary>
    /// Runs a sequence from the state (<paramref name="hidden"/>, <paramref name="cell"/>), each
    /// <c>[layers, batch, hidden]</c>, or from zero when they are null; returns the outputs and the new state.
    /// </summary>
    public (Tensor Output, Tensor Hidden, Tensor Cell) Forward(Tensor input, Tensor? hidden, Tensor? cell)
    {
        var (sequence, h, c) = _lstm.call(input, hidden is null || cell is null ? null : (hidden, cell));
        using Tensor raw = _head.call(sequence);
        sequence.Dispose();
        long batch = input.shape[0], steps = input.shape[1];
        using Tensor shaped = raw.reshape(batch, steps, _heads, _quantiles);
        return (OrderQuantiles(shaped), h, c);
    }

    private Tensor OrderQuantiles(Tensor raw)
    {
        using var scope = torch.NewDisposeScope();
        Tensor median = raw.narrow(3, _median, 1);
        var parts = new List<Tensor>();
        if (_median > 0)
        {
            // Gaps below the median accumulate outwards: the lowest quantile is furthest down.
            Tensor below = nn.functional.softplus(raw.narrow(3, 0, _median)).flip(3).cumsum(3).flip(3);
            parts.Add(median - below);
        }
        parts.Add(median);
        int above = _quantiles - _median - 1;
        if (above > 0)
            parts.Add(median + nn.functional.softplus(raw.narrow(3, _median + 1, above)).cumsum(3));
        return torch.cat(parts, 3).MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _lstm.Dispose();
            _head.Dispose();
        }
        base.Dispose(disposing);
    }
}
