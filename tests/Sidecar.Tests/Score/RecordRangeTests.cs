using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class RecordRangeTests
{
    [Fact]
    public void MeasuresHowFarBeyondTheRangeAValueLiesAsAFractionOfItsWidth()
    {
        var range = new RecordRange();
        Assert.Equal(0, range.Exceedance(1e9));
        range.Include(10, 10, keep: 1);
        range.Include(20, 15, keep: 1);

        Assert.Equal(0, range.Exceedance(15));
        Assert.Equal(0.5, range.Exceedance(25), 12);
        Assert.Equal(1.0, range.Exceedance(0), 12);
        Assert.Equal(0, range.Exceedance(double.NaN));
    }

    [Fact]
    public void ValuesOnTheRangesEdgesAndInfiniteOnesMeasureAsTheFormulaSays()
    {
        // Exceedance skips its division inside the range; on the edges and with infinities it must still
        // give max(0, max(value - high, low - value) / width), NaN included.
        var range = new RecordRange();
        range.Include(10, 10, keep: 1);
        range.Include(20, 15, keep: 1);
        Assert.Equal(0, range.Exceedance(10));
        Assert.Equal(0, range.Exceedance(20));
        Assert.Equal(double.PositiveInfinity, range.Exceedance(double.PositiveInfinity));
        Assert.Equal(double.PositiveInfinity, range.Exceedance(double.NegativeInfinity));

        var unbounded = new RecordRange();
        unbounded.Include(0, 0, keep: 1);
        unbounded.Include(double.PositiveInfinity, 0, keep: 1);
        Assert.Equal(0, unbounded.Exceedance(5));
        Assert.Equal(double.NaN, unbounded.Exceedance(double.PositiveInfinity)); // (inf - inf) / inf
        Assert.Equal(double.PositiveInfinity / double.PositiveInfinity, unbounded.Exceedance(double.NegativeInfinity));
    }

    [Fact]
    public void ARangeWithoutWidthMeasuresNothingUntilItsFirstMoveWidensIt()
    {
        var range = RecordRange.FromZero();
        for (int i = 0; i < 10; i++)
            range.Include(0, 0, keep: 1);
        // A surprise still warming up at 0 would make its first real value infinitely far beyond.
        Assert.Equal(0, range.Exceedance(3));
        range.Include(3, 0, keep: 1);
        Assert.Equal(1, range.Exceedance(6), 12);
    }

    [Fact]
    public void OldExtremesFadeTowardsTheCurrentLevel()
    {
        var range = new RecordRange();
        range.Include(0, 0, keep: 0.5);
        range.Include(100, 0, keep: 0.5); // one spike
        for (int i = 0; i < 10; i++)
            range.Include(0, 0, keep: 0.5);
        // After ten halvings the spike's record is 100 / 1024 above the level: a rise to 50 is far beyond it.
        Assert.True(range.Exceedance(50) > 100);

        var kept = new RecordRange();
        kept.Include(0, 0, keep: 1);
        kept.Include(100, 0, keep: 1);
        for (int i = 0; i < 10; i++)
            kept.Include(0, 0, keep: 1);
        Assert.Equal(0, kept.Exceedance(50));
    }

    [Fact]
    public void ARangeFromZeroMeasuresAgainstItsHighestValue()
    {
        var range = RecordRange.FromZero();
        range.Include(4, 0, keep: 1);
        Assert.Equal(0.25, range.Exceedance(5), 12);
        Assert.Equal(0, range.Exceedance(2));
    }
}
