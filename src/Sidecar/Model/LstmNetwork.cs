using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// The seed tutorial's stacked LSTM with one change: a linear head predicts every horizon at once
/// (direct multi-horizon), instead of one step fed back into itself. Input <c>[batch, window, 1]</c>
/// of scaled values; output <c>[batch, heads]</c>, each the scaled change from the window's last value.
/// </summary>
internal sealed class LstmNetwork : nn.Module<Tensor, Tensor>
{
    private readonly LSTM _lstm;
    private readonly Linear _head;

    public LstmNetwork(int hiddenSize, int layers, int heads) : base(nameof(LstmNetwork))
    {
        _lstm = nn.LSTM(inputSize: 1, hiddenSize: hiddenSize, numLayers: layers, batchFirst: true);
        _head = nn.Linear(hiddenSize, heads);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input)
    {
        var (output, hidden, cell) = _lstm.call(input, null);
        hidden.Dispose();
        cell.Dispose();
        using Tensor last = output.select(1, -1);
        output.Dispose();
        return _head.call(last);
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
