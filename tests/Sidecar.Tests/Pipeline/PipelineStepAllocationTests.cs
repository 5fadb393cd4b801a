using Sidecar.Pipeline;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// The inference loop's steady state is a hot path: once every series is warm, what a step allocates must
/// not grow with the number of series (a few tensor handles per batch are fine; arrays per series are not).
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class PipelineStepAllocationTests
{
    [Fact]
    public void ASteadyStepAllocatesNothingPerSeries()
    {
        long few = BytesPerStep(64), many = BytesPerStep(512);
        // 448 more series: even 8 bytes each would add 3.5 KB.
        Assert.True(many - few < 2048, $"a step allocated {few} bytes for 64 series and {many} for 512");
    }

    /// <returns>The median over 20 steady steps of the bytes <see cref="TargetPipeline.Process"/> allocated on this thread.</returns>
    private static long BytesPerStep(int count)
    {
        using var target = new SteppedTarget(count);
        // Warm: every series' state, gauges, interval and scorers exist, and the batch has its steady shape.
        for (int i = 0; i < 30; i++)
            target.Step();
        var bytes = new long[20];
        for (int i = 0; i < bytes.Length; i++)
        {
            target.Write();
            long before = GC.GetAllocatedBytesForCurrentThread();
            target.Pipeline.Process();
            bytes[i] = GC.GetAllocatedBytesForCurrentThread() - before;
        }
        Array.Sort(bytes);
        return bytes[bytes.Length / 2];
    }
}
