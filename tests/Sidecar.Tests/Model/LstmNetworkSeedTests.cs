using Sidecar.Model;
using Sidecar.Tests.Support;
using TorchSharp;

namespace Sidecar.Tests.Model;

/// <summary>
/// A seeded network's initial weights depend on the seed alone, even while other threads build networks
/// from libtorch's process-wide generator (as the files <c>backtest</c> replays in parallel do), and the
/// probe that picks the inference path draws nothing from it.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class LstmNetworkSeedTests
{
    private static float[] Weights(LstmNetwork network) =>
        [.. network.parameters().SelectMany(p => p.data<float>().ToArray())];

    [Fact]
    public async Task TheSameSeedGivesTheSameWeightsWhileAnotherThreadDrawsRandomNumbers()
    {
        float[] expected, expectedOther;
        using (var alone = LstmNetwork.Seeded(7, 5, 16, 2, 3, 3, 1))
            expected = Weights(alone);
        using (var alone = LstmNetwork.Seeded(11, 5, 16, 2, 3, 3, 1))
            expectedOther = Weights(alone);
        long otherMismatches = 0;

        using var stop = new CancellationTokenSource();
        long draws = 0;
        var noise = Task.Run(() =>
        {
            // Builds networks as fast as it can, as another file's training and model loading would.
            while (!stop.IsCancellationRequested)
            {
                using (var unseeded = new LstmNetwork(5, 8, 1, 3, 3, 1)) { }
                using var other = LstmNetwork.Seeded(11, 5, 16, 2, 3, 3, 1);
                if (!Weights(other).SequenceEqual(expectedOther))
                    Interlocked.Increment(ref otherMismatches);
                Interlocked.Increment(ref draws);
            }
        });
        Assert.True(SpinWait.SpinUntil(() => Interlocked.Read(ref draws) > 0, TimeSpan.FromSeconds(30)), "the other thread started drawing");
        try
        {
            for (int attempt = 0; attempt < 20; attempt++)
            {
                using var network = LstmNetwork.Seeded(7, 5, 16, 2, 3, 3, 1);
                Assert.Equal(expected, Weights(network));
                // The probe runs at the first inference, between other threads' seeding and drawing.
                using var input = torch.zeros(1, 2, 5);
                var (output, hidden, cell) = network.Infer(input, null, null);
                output.Dispose();
                hidden.Dispose();
                cell.Dispose();
            }
        }
        finally
        {
            stop.Cancel();
            await noise;
        }
        Assert.Equal(0, Interlocked.Read(ref otherMismatches));
    }
}
