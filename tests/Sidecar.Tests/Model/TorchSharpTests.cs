using Sidecar.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Tests.Model;

public sealed class TorchSharpTests
{
    [Fact]
    public void LstmForwardAndBackwardRunAndLearn()
    {
        // Loading libLibTorchSharp.so at all is the first check: on Debian 12 it needs the build's patch.
        torch.manual_seed(1);
        using var network = new LstmNetwork(features: 2, hiddenSize: 16, layers: 2, heads: 3, quantiles: 1, medianIndex: 0);
        using var optimizer = torch.optim.Adam(network.parameters(), 0.01);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.rand(32, 12, 2);
        // A learnable target: the running mean of the first feature, repeated per head.
        Tensor y = (x.select(2, 0).cumsum(1) / torch.arange(1, 13).to_type(ScalarType.Float32)).unsqueeze(2).expand(32, 12, 3).unsqueeze(3);
        double first = 0, last = 0;
        for (int i = 0; i < 80; i++)
        {
            optimizer.zero_grad();
            Tensor output = network.call(x);
            Assert.Equal(new long[] { 32, 12, 3, 1 }, output.shape);
            Tensor loss = nn.functional.mse_loss(output, y);
            loss.backward();
            optimizer.step();
            if (i == 0)
                first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 5, $"loss went from {first} to {last}");
    }

    [Fact]
    public void QuantilesNeverCross()
    {
        torch.manual_seed(3);
        using var network = new LstmNetwork(features: 1, hiddenSize: 8, layers: 1, heads: 2, quantiles: 5, medianIndex: 2);
        using var scope = torch.NewDisposeScope();
        Tensor output = network.call(torch.randn(16, 7, 1) * 10);
        Tensor steps = output.narrow(3, 1, 4) - output.narrow(3, 0, 4);
        Assert.True(steps.min().item<float>() >= 0);
    }
}
