using Sidecar.Model;
using TorchSharp;

namespace Sidecar.Tests.Model;

/// <summary>
/// The tensor arithmetic on our side of every forward pass (ordering the quantiles) and of every training
/// step (the pinball loss) gives the same numbers, and never fails, while another thread starts garbage
/// collections: the serving pipeline runs beside ingestion and training threads, whose allocations start
/// collections at any moment (see <see cref="PinnedScalars"/>).
/// </summary>
public sealed class ConcurrentCollectionTests
{
    [Fact]
    public async Task QuantileOrderingAndLossAreUnchangedByCollectionsOnAnotherThread()
    {
        using var raw = torch.linspace(-1, 1, 2 * 3 * 2 * 3).reshape(2, 3, 2, 3);
        using var targets = torch.linspace(-0.5, 0.5, 2 * 3 * 2).reshape(2, 3, 2);
        using var levels = torch.tensor(new[] { 0.05f, 0.5f, 0.95f });
        float[] expectedQuantiles;
        float expectedLoss;
        using (var first = LstmNetwork.OrderQuantiles(raw, 1, 3))
        {
            expectedQuantiles = first.data<float>().ToArray();
            var (loss, _) = PinballLoss.Compute(first, targets, levels);
            using (loss)
                expectedLoss = loss.item<float>();
        }

        using var stop = new CancellationTokenSource();
        long collections = 0;
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Interlocked.Increment(ref collections);
            }
        });
        int runs = 0;
        try
        {
            // Bounded by count and time. Without the pinned scalars about one call in 3,000 failed or gave
            // another number under this load. At least 10 s, and on a machine busy with the other tests as
            // long as it takes (up to a minute) for enough runs and collections to have met.
            var start = DateTime.UtcNow;
            bool Enough() => DateTime.UtcNow - start >= TimeSpan.FromSeconds(10) && runs >= 1_000 && Interlocked.Read(ref collections) >= 100;
            while (runs < 100_000 && !Enough() && DateTime.UtcNow - start < TimeSpan.FromSeconds(60))
            {
                using var quantiles = LstmNetwork.OrderQuantiles(raw, 1, 3);
                Assert.Equal(expectedQuantiles, quantiles.data<float>().ToArray());
                var (loss, _) = PinballLoss.Compute(quantiles, targets, levels);
                using (loss)
                    Assert.Equal(expectedLoss, loss.item<float>());
                runs++;
            }
        }
        finally
        {
            stop.Cancel();
            await collector;
        }
        Assert.True(Interlocked.Read(ref collections) >= 100 && runs >= 1_000, $"only {collections} collections ran beside {runs} runs");
    }
}
