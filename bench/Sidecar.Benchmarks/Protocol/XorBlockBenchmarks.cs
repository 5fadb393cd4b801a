using BenchmarkDotNet.Attributes;
using Sidecar.Store;

namespace Sidecar.Benchmarks.Protocol;

/// <summary>
/// Reading a series' history a step at a time as the inference step reads the value a day back: through
/// a history cursor, which decodes sixteen values at once from the XOR-encoded block and keeps them. One
/// operation reads a whole block's 128 steps of a sine (rounded to two decimals, as gauges often are) in
/// order, eight decodes of sixteen; the baseline reads each step without a cursor, decoding from its
/// block's start every time.
/// </summary>
[MemoryDiagnoser]
public class XorBlockBenchmarks
{
    private const int BlockSteps = StepRing.DefaultBlockSteps;
    private const long From = 20 * BlockSteps;
    private StepRing _ring;

    [GlobalSetup]
    public void Setup()
    {
        _ring = new StepRing(8 * 1_440);
        for (long step = 0; step < 8 * 1_440; step++)
            _ring.Write(step, step * 60_000, MathF.Round(50 + 10 * MathF.Sin(step / 30f), 2));
    }

    [Benchmark(Baseline = true, Description = "each step decoded from its block's start")]
    public float WithoutCursor()
    {
        float sum = 0;
        for (long step = From; step < From + BlockSteps; step++)
            sum += _ring.At(step);
        return sum;
    }

    [Benchmark(Description = "through a history cursor")]
    public float ThroughCursor()
    {
        var cursor = new HistoryCursor();
        float sum = 0;
        for (long step = From; step < From + BlockSteps; step++)
            sum += _ring.At(step, ref cursor);
        return sum;
    }
}
