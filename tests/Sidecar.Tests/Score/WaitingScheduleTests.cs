using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class WaitingScheduleTests
{
    // The slot and keep rule as first written, by division: saved scoring states were written under it, so
    // the shifts that replace the division for strides of a power of two must place every step alike.
    private static int SlotByDivision(int horizonIndex, int stride, long targetStep)
    {
        long position = targetStep / stride % WaitingSchedule.RingSize;
        return horizonIndex * WaitingSchedule.RingSize + (int)(position < 0 ? position + WaitingSchedule.RingSize : position);
    }

    [Fact]
    public void EveryStepIsKeptAndPlacedAsByDivisionWhateverTheStride()
    {
        // Strides 1 to 19: powers of two (shifts) and others (division).
        int[] horizons = [.. Enumerable.Range(0, 20).Select(k => k * WaitingSchedule.RingSize + 3)];
        var schedule = WaitingSchedule.For(horizons);
        long[] around = [0, 1, 1_700_000_000 / 60, 28_333_337, long.MaxValue / 4];
        for (int h = 0; h < horizons.Length; h++)
        {
            int stride = Math.Max(1, (horizons[h] + WaitingSchedule.RingSize) / WaitingSchedule.RingSize);
            Assert.Equal(stride, schedule.Stride(h));
            foreach (long centre in around)
            {
                for (long step = centre - 300; step <= centre + 300; step++)
                {
                    Assert.Equal(SlotByDivision(h, stride, step), schedule.Slot(h, step));
                    Assert.Equal(step % stride == 0, schedule.Keeps(h, step));
                }
            }
        }
    }

    [Fact]
    public void TheSameHorizonsShareOneScheduleAndOthersGetTheirOwn()
    {
        var first = WaitingSchedule.For([5, 30, 60]);

        Assert.Same(first, WaitingSchedule.For(new List<int> { 5, 30, 60 }));
        Assert.NotSame(first, WaitingSchedule.For([5, 30]));
        Assert.Equal([5, 30, 60], first.HorizonSteps);
        Assert.Equal(3 * WaitingSchedule.RingSize, first.Slots);
    }

    [Fact]
    public void AForecastIsTakenOnceAtItsTargetStepWithWhatWasKeptForIt()
    {
        var waiting = new WaitingForecasts<(float, float)>(WaitingSchedule.For([2, 40]));
        waiting.EnsureRows(1);

        Assert.True(waiting.TryRecord(0, 0, 101, (1f, 2f)));
        Assert.False(waiting.TryRecord(0, 1, 101, (3f, 4f))); // 40 steps ahead keeps every third step's forecast
        Assert.True(waiting.TryRecord(0, 1, 102, (5f, 6f)));

        Assert.False(waiting.TryTake(0, 0, 102, out _));
        Assert.True(waiting.TryTake(0, 0, 103, out var shortOne));
        Assert.Equal((1f, 2f), shortOne);
        Assert.False(waiting.TryTake(0, 0, 103, out _));
        Assert.True(waiting.TryTake(0, 1, 142, out var longOne));
        Assert.Equal((5f, 6f), longOne);
    }

    [Fact]
    public void EachRowKeepsItsOwnForecastsAcrossTiles()
    {
        // Four rows a tile: rows 0 to 9 take three tiles, added as the rows come.
        var waiting = new WaitingForecasts<(float, float)>(WaitingSchedule.For([1, 3]), rowsPerTile: 4);
        waiting.EnsureRows(6);
        Assert.Equal(8, waiting.Rows);
        waiting.EnsureRows(10);
        Assert.Equal(12, waiting.Rows);
        for (int row = 0; row < 10; row++)
        {
            Assert.True(waiting.TryRecord(row, 0, 50, (row, 1)));
            Assert.True(waiting.TryRecord(row, 1, 50, (row, 3)));
        }

        waiting.ClearRow(4);
        var copy = new WaitingForecasts<(float, float)>(WaitingSchedule.For([1, 3]));
        copy.EnsureRows(1);
        waiting.CopyRow(9, copy, 0);

        for (int row = 0; row < 10; row++)
        {
            Assert.Equal(row != 4, waiting.TryTake(row, 0, 51, out var oneAhead));
            Assert.Equal(row != 4, waiting.TryTake(row, 1, 53, out var threeAhead));
            if (row != 4)
                Assert.Equal(((float)row, 1f, (float)row, 3f), (oneAhead.Item1, oneAhead.Item2, threeAhead.Item1, threeAhead.Item2));
        }
        Assert.True(copy.TryTake(0, 1, 53, out var copied));
        Assert.Equal((9f, 3f), copied);
        Assert.Throws<ArgumentException>(() => waiting.CopyRow(0, new WaitingForecasts<(float, float)>(WaitingSchedule.For([1, 4])), 0));
    }
}
