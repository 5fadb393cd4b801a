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
/// <remarks>
/// In TorchSharp 0.107 libtorch's LSTM gives wrong outputs without autograd (no_grad, inference_mode)
/// for some hidden sizes on some CPUs (8, 16 and 48 on the machine the project was first built on; 16 is
/// right on an AMD Zen 2 and on an AMD EPYC with AVX-512), while with autograd on it is right for all,
/// but slower. Which shapes are wrong depends on the CPU's kernels, so it can't be listed ahead. So validation, calibration and serving call <see cref="Infer"/>,
/// which checks once per network whether the path without autograd agrees with the one with it, and
/// only then uses it. <c>LstmInferenceModeTests</c> checks <see cref="Infer"/> against an LSTM computed
/// step by step whichever path the probe picks, and checks the probe's verdict against that LSTM.
/// </remarks>
internal sealed class LstmNetwork : nn.Module<Tensor, Tensor>
{
    private readonly LSTM _lstm;
    private readonly Linear _head;
    private readonly int _heads;
    private readonly int _quantiles;
    private readonly int _median;

    // Decided at the first Infer: whether libtorch's path without autograd is right for this shape.
    private bool? _withoutAutogradIsRight;

    // libtorch draws initial weights from one process-wide generator. Seeding it and drawing from it happen
    // under this lock, so networks built on other threads (backtest replays files in parallel) can't take
    // draws out of the middle of a seeded initialisation: the same seed gives the same network.
    private static readonly Lock Initialisation = new();

    public LstmNetwork(int features, int hiddenSize, int layers, int heads, int quantiles, int medianIndex) : base(nameof(LstmNetwork))
    {
        lock (Initialisation)
        {
            _lstm = nn.LSTM(inputSize: features, hiddenSize: hiddenSize, numLayers: layers, batchFirst: true);
            _head = nn.Linear(hiddenSize, heads * quantiles);
        }
        _heads = heads;
        _quantiles = quantiles;
        _median = medianIndex;
        Features = features;
        HiddenSize = hiddenSize;
        Layers = layers;
        RegisterComponents();
    }

    /// <summary>A network whose initial weights depend only on <paramref name="seed"/>, whatever other threads do.</summary>
    public static LstmNetwork Seeded(int seed, int features, int hiddenSize, int layers, int heads, int quantiles, int medianIndex)
    {
        lock (Initialisation)
        {
            torch.manual_seed(seed);
            return new LstmNetwork(features, hiddenSize, layers, heads, quantiles, medianIndex);
        }
    }

    public int Features { get; }

    public int HiddenSize { get; }

    public int Layers { get; }

    /// <summary>
    /// <see cref="Forward"/> for callers that need no gradient (validation, calibration, serving): without
    /// autograd when that path proved right for this network's shape, otherwise with autograd on and the
    /// results detached, so no graph outlives the call.
    /// </summary>
    public (Tensor Output, Tensor Hidden, Tensor Cell) Infer(Tensor input, Tensor? hidden, Tensor? cell)
    {
        using var scope = torch.NewDisposeScope();
        _withoutAutogradIsRight ??= WithoutAutogradAgrees();
        // Inference mode where the path without autograd is right: no_grad's path, without its version
        // counters and view tracking. Serving's forward call took 855 ns a series so against 870 with
        // no_grad (bench inference, batch 1,024, issue 19); it is the mode the bench's raw forward runs in.
        // Its tensors can't be changed in place outside inference mode: every caller only reads them.
        using IDisposable mode = _withoutAutogradIsRight.Value ? torch.inference_mode() : torch.enable_grad();
        var (output, h, c) = Forward(input, hidden, cell);
        return (output.detach().MoveToOuterDisposeScope(), h.detach().MoveToOuterDisposeScope(), c.detach().MoveToOuterDisposeScope());
    }

    /// <summary>Whether this network's output without autograd (in inference mode, as <see cref="Infer"/> runs it) matches the output with it, on random input and state.</summary>
    public bool WithoutAutogradAgrees()
    {
        using var scope = torch.NewDisposeScope();
        // Its own generator: drawing from the global one would move another thread's seeded initialisation.
        using var generator = new torch.Generator(1);
        Tensor input = torch.randn([4, 8, Features], generator: generator);
        Tensor hidden = torch.randn([Layers, 4, HiddenSize], generator: generator);
        Tensor cell = torch.randn([Layers, 4, HiddenSize], generator: generator);
        Tensor expected;
        using (torch.enable_grad())
            expected = Forward(input, hidden, cell).Output.detach();
        Tensor actual;
        using (torch.inference_mode())
            actual = Forward(input, hidden, cell).Output;
        return (expected - actual).abs().max().item<float>() <= 1e-5f;
    }

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
        return (OrderQuantiles(shaped, _median, _quantiles), h, c);
    }

    /// <summary>Turns the head's raw outputs <c>[.., quantiles]</c> into quantiles that can't cross.</summary>
    internal static Tensor OrderQuantiles(Tensor raw, int medianIndex, int quantiles)
    {
        using var scope = torch.NewDisposeScope();
        Tensor median = raw.narrow(3, medianIndex, 1);
        // Every output's softplus at once, the median's unused: over the contiguous outputs libtorch runs its
        // vectorised kernel. Over the narrowed columns below and above the median (strided) it took its
        // element-by-element path, calling libm's log1pf once per value: the forward ran 10 % faster
        // without it (bench inference, batch 1,024, issue 19). A single gap on a side (the default three
        // quantiles) is its own running sum: no flip or cumsum, three libtorch calls fewer.
        Tensor? gaps = quantiles > 1 ? Softplus(raw) : null;
        var parts = new List<Tensor>();
        if (medianIndex > 0)
        {
            // Gaps below the median accumulate outwards: the lowest quantile is furthest down.
            Tensor below = gaps!.narrow(3, 0, medianIndex);
            if (medianIndex > 1)
                below = below.flip(3).cumsum(3).flip(3);
            parts.Add(median.add(below, PinnedScalars.MinusOne));
        }
        parts.Add(median);
        int above = quantiles - medianIndex - 1;
        if (above > 0)
        {
            Tensor aboveGaps = gaps!.narrow(3, medianIndex + 1, above);
            parts.Add(median.add(above > 1 ? aboveGaps.cumsum(3) : aboveGaps, PinnedScalars.One));
        }
        return torch.cat(parts, 3).MoveToOuterDisposeScope();
    }

    // log(1 + e^x) as logaddexp(x, 0): the same function as nn.functional.softplus, without the two
    // temporary scalars (beta, threshold) that TorchSharp makes for it on every call (PinnedScalars).
    private static Tensor Softplus(Tensor x)
    {
        using Tensor zero = torch.zeros_like(x);
        return torch.logaddexp(x, zero);
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
