using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class WindowMeanTests
{
    [Fact]
    public void AveragesTheLastValuesLeavingGapsOut()
    {
        var mean = new WindowMean(4);
        foreach (float v in new[] { 100f, 1, 2, float.NaN, 3 })
            mean.Push(v);
        // The window holds 1, 2, NaN, 3: the 100 has left it.
        Assert.Equal(2, mean.Mean, 12);
    }

    [Fact]
    public void IsNaNUntilHalfTheWindowHasValues()
    {
        var mean = new WindowMean(4);
        mean.Push(5);
        Assert.True(double.IsNaN(mean.Mean));
        mean.Push(7);
        Assert.Equal(6, mean.Mean, 12);
        mean.Push(float.NaN);
        mean.Push(float.NaN);
        mean.Push(float.NaN);
        Assert.True(double.IsNaN(mean.Mean));
    }

    [Fact]
    public void StaysExactOverMillionsOfValuesOfVeryDifferentSizes()
    {
        var mean = new WindowMean(24);
        var random = new Random(1);
        for (int i = 0; i < 1_000_000; i++)
            mean.Push(random.NextSingle() * 1e9f);
        for (int i = 0; i < 24; i++)
            mean.Push(0.5f);
        // A running sum alone would keep the rounding of a million values near 1e9.
        Assert.Equal(0.5, mean.Mean, 12);
    }
}
