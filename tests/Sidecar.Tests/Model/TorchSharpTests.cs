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
        using var network = new LstmNetwork(hiddenSize: 16, layers: 2, heads: 3);
        using var optimizer = torch.optim.Adam(network.parameters(), 0.01);
        using var scope = torch.NewDisposeScope();
        Tensor x = torch.rand(32, 12, 1);
        // A learnable target: the mean of each window, repeated per head.
        Tensor y = x.mean([1]).expand(32, 3);
        double first = 0, last = 0;
        for (int i = 0; i < 60; i++)
        {
            optimizer.zero_grad();
            Tensor output = network.call(x);
            Assert.Equal(new long[] { 32, 3 }, output.shape);
            Tensor loss = nn.functional.mse_loss(output, y);
            loss.backward();
            optimizer.step();
            if (i == 0)
                first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 5, $"loss went from {first} to {last}");
    }
}
