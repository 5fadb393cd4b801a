using Sidecar.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Tests.Model;

/// <summary>
/// Nothing runs the LSTM without autograd (<see cref="LstmNetwork.Infer"/>). These tests show why: without
/// autograd the fused LSTM of TorchSharp 0.107 is wrong for some hidden sizes, while
/// <see cref="LstmNetwork.Infer"/> matches an LSTM computed step by step for every shape tried.
/// </summary>
public sealed class LstmInferenceModeTests
{
    [Theory]
    [InlineData(2, 8, 1, 20)]
    [InlineData(4, 16, 2, 60)]
    [InlineData(10, 32, 2, 1)]
    [InlineData(12, 48, 3, 30)]
    public void InferMatchesAnLstmComputedStepByStepFromAnyState(int features, int hidden, int layers, int steps)
    {
        torch.manual_seed(1);
        using var network = new LstmNetwork(features, hidden, layers, heads: 3, quantiles: 3, medianIndex: 1);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(5, steps, features) * 3;
        Tensor h0 = torch.randn(layers, 5, hidden) * 0.5, c0 = torch.randn(layers, 5, hidden);
        var (_, h, c) = network.Infer(x, h0, c0);
        var (expectedH, expectedC) = StepByStep(network, x, h0, c0);
        Assert.InRange((expectedH - h).abs().max().item<float>(), 0, 1e-5);
        Assert.InRange((expectedC - c).abs().max().item<float>(), 0, 1e-5);
    }

    [Theory]
    [InlineData(16, false)]
    [InlineData(32, true)]
    public void TheFastPathIsUsedOnlyWhereItIsRight(int hidden, bool right)
    {
        using var network = new LstmNetwork(10, hidden, 2, heads: 3, quantiles: 3, medianIndex: 1);
        Assert.Equal(right, network.WithoutAutogradAgrees());
    }

    /// <summary>The LSTM recurrence written out: gates = x W_ih + b_ih + h W_hh + b_hh, in order i, f, g, o.</summary>
    private static (Tensor Hidden, Tensor Cell) StepByStep(LstmNetwork network, Tensor x, Tensor h0, Tensor c0)
    {
        var weights = network.state_dict();
        string prefix = weights.Keys.First(k => k.EndsWith("weight_ih_l0", StringComparison.Ordinal))[..^"weight_ih_l0".Length];
        using var noGrad = torch.no_grad();
        int size = network.HiddenSize;
        var hs = new Tensor[network.Layers];
        var cs = new Tensor[network.Layers];
        Tensor sequence = x;
        for (int layer = 0; layer < network.Layers; layer++)
        {
            Tensor h = h0[layer], c = c0[layer];
            var outputs = new List<Tensor>();
            for (long t = 0; t < x.shape[1]; t++)
            {
                Tensor gates = torch.matmul(sequence.select(1, t), weights[$"{prefix}weight_ih_l{layer}"].t()) + weights[$"{prefix}bias_ih_l{layer}"]
                    + torch.matmul(h, weights[$"{prefix}weight_hh_l{layer}"].t()) + weights[$"{prefix}bias_hh_l{layer}"];
                Tensor i = torch.sigmoid(gates.narrow(1, 0, size)), f = torch.sigmoid(gates.narrow(1, size, size));
                Tensor g = torch.tanh(gates.narrow(1, 2 * size, size)), o = torch.sigmoid(gates.narrow(1, 3 * size, size));
                c = f * c + i * g;
                h = o * torch.tanh(c);
                outputs.Add(h);
            }
            sequence = torch.stack(outputs, 1);
            hs[layer] = h;
            cs[layer] = c;
        }
        return (torch.stack(hs), torch.stack(cs));
    }

    /// <summary>
    /// The libtorch defect itself. If this starts failing after an upgrade, the fused LSTM is right without
    /// autograd again and <see cref="LstmNetwork.Infer"/> could give way to it.
    /// </summary>
    [Fact]
    public void TheFusedLstmWithoutAutogradDisagreesWithAHandComputedStep()
    {
        const int Features = 4, Hidden = 16;
        torch.manual_seed(1);
        using var lstm = nn.LSTM(Features, Hidden, 1, batchFirst: true);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.randn(3, 12, Features) * 3;
        float withAutograd = lstm.call(x, null).Item1[0, 0, 0].item<float>();
        float withoutAutograd;
        using (torch.no_grad())
            withoutAutograd = lstm.call(x, null).Item1[0, 0, 0].item<float>();
        // The first output by hand, from a zero state: gates = W_ih x + b_ih + b_hh, in order i, f, g, o.
        var weights = lstm.state_dict();
        using var noGrad = torch.no_grad();
        Tensor gates = torch.matmul(x[0, 0], weights["weight_ih_l0"].t()) + weights["bias_ih_l0"] + weights["bias_hh_l0"];
        Tensor input = torch.sigmoid(gates.narrow(0, 0, Hidden)), candidate = torch.tanh(gates.narrow(0, 2 * Hidden, Hidden));
        Tensor output = torch.sigmoid(gates.narrow(0, 3 * Hidden, Hidden));
        float byHand = (output * torch.tanh(input * candidate))[0].item<float>();
        Assert.Equal(byHand, withAutograd, 5);
        Assert.NotEqual(byHand, withoutAutograd, 3);
    }
}
