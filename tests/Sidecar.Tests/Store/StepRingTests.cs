using Sidecar.Store;

namespace Sidecar.Tests.Store;

public sealed class StepRingTests
{
    [Fact]
    public void KeepsTheLatestSampleOfEachStepAndClosesStepsWhenTimeMovesOn()
    {
        var ring = new StepRing(10);
        Assert.False(ring.Write(100, 100_000, 1));
        Assert.False(ring.Write(100, 100_500, 2));
        Assert.False(ring.Write(100, 100_200, 7));
        Assert.True(ring.Write(101, 101 * 1000L, 3));
        Assert.Equal(2, ring.At(100));
        Assert.Equal(3, ring.At(101));
        Assert.Equal(100, ring.FirstStep);
        Assert.Equal(101, ring.NewestStep);
    }

    [Fact]
    public void MeanAggregationAveragesTheSamplesOfEachStep()
    {
        var ring = new StepRing(10, mean: true);
        ring.Write(100, 100_000, 1);
        ring.Write(100, 100_250, 2);
        ring.Write(100, 100_250, 50); // a retry of the same sample: ignored
        ring.Write(100, 100_500, 6);
        Assert.Equal(3, ring.At(100));
        Assert.True(ring.Write(101, 101_000, 8));
        Assert.Equal(8, ring.At(101));
        Assert.Equal(3, ring.At(100));
    }

    [Fact]
    public void MarksMissingStepsAsGaps()
    {
        var ring = new StepRing(10);
        ring.Write(100, 100 * 1000L, 1);
        ring.Write(104, 104 * 1000L, 5);
        var copy = new float[5];
        ring.Copy(104, copy);
        Assert.Equal(1, copy[0]);
        Assert.True(float.IsNaN(copy[1]) && float.IsNaN(copy[2]) && float.IsNaN(copy[3]));
        Assert.Equal(5, copy[4]);
    }

    [Fact]
    public void ALateSampleFillsAGapButNeverOverwritesAValue()
    {
        var ring = new StepRing(10);
        ring.Write(100, 100 * 1000L, 1);
        ring.Write(102, 102 * 1000L, 3);
        Assert.False(ring.Write(101, 101 * 1000L, 2));
        Assert.False(ring.Write(100, 100 * 1000L, 99));
        Assert.Equal(1, ring.At(100));
        Assert.Equal(2, ring.At(101));
    }

    [Fact]
    public void ForgetsWhatFallsOutOfTheWindowAndSurvivesLongSilences()
    {
        var ring = new StepRing(4);
        for (int s = 0; s < 10; s++)
            ring.Write(s, s * 1000L, s);
        Assert.True(float.IsNaN(ring.At(5)));
        Assert.Equal(6, ring.At(6));
        Assert.Equal(9, ring.At(9));
        ring.Write(1_000_000, 1_000_000 * 1000L, 7);
        var copy = new float[4];
        ring.Copy(1_000_000, copy);
        Assert.Equal([float.NaN, float.NaN, float.NaN, 7f], copy);
        Assert.True(float.IsNaN(ring.At(1_000_001)));
    }

    [Fact]
    public void HandlesStepsBeforeTheEpoch()
    {
        var ring = new StepRing(3);
        ring.Write(-5, -5 * 1000L, 1);
        ring.Write(-4, -4 * 1000L, 2);
        Assert.Equal(1, ring.At(-5));
        Assert.Equal(2, ring.At(-4));
    }
}
