using Sidecar.Store;

namespace Sidecar.Tests.Store;

public sealed class SpinGateTests
{
    private sealed class Shared
    {
        public SpinGate Gate;
        public long Count;
        public long Pairs;
    }

    [Fact]
    public void ThreadsTakingTheGateTogetherNeverOverlap()
    {
        // Four threads, let go at once, each adding to two fields under the gate: an overlap loses an
        // increment or unbalances the pairs.
        var shared = new Shared();
        const int PerThread = 1_000_000;
        using var start = new Barrier(4);
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < PerThread; i++)
            {
                shared.Gate.Enter();
                long count = shared.Count;
                shared.Pairs += count % 2 == 0 ? 1 : -1;
                shared.Count = count + 1;
                shared.Gate.Exit();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60))));
        Assert.Equal(4L * PerThread, shared.Count);
        Assert.Equal(0, shared.Pairs);
    }
}
