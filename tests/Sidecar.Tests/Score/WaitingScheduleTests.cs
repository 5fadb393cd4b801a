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
        var waiting = WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([2, 40]), rows: 1);

        Assert.True(waiting.TryRecord(0, 101, (1f, 2f)));
        Assert.False(waiting.TryRecord(1, 101, (3f, 4f))); // 40 steps ahead keeps every third step's forecast
        Assert.True(waiting.TryRecord(1, 102, (5f, 6f)));

        Assert.False(waiting.TryTake(0, 102, out _));
        Assert.True(waiting.TryTake(0, 103, out var shortOne));
        Assert.Equal((1f, 2f), shortOne);
        Assert.False(waiting.TryTake(0, 103, out _));
        Assert.True(waiting.TryTake(1, 142, out var longOne));
        Assert.Equal((5f, 6f), longOne);
    }

    [Fact]
    public void ACopyKeepsWhatWaitedWhateverTheOriginalDoesNext()
    {
        var waiting = WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([1, 3]), rows: 1);
        Assert.True(waiting.TryRecord(0, 50, (1f, 1f)));
        Assert.True(waiting.TryRecord(1, 50, (3f, 3f)));

        var copy = WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([1, 3]), rows: 1);
        waiting.CopyTo(copy);
        // Taken from the original, and so gone from it; still in the copy.
        Assert.True(waiting.TryTake(0, 51, out _));
        Assert.True(waiting.TryTake(1, 53, out _));
        Assert.False(waiting.TryTake(0, 51, out _));
        Assert.False(waiting.TryTake(1, 53, out _));
        Assert.True(copy.TryTake(0, 51, out var oneAhead));
        Assert.True(copy.TryTake(1, 53, out var threeAhead));
        Assert.Equal(((1f, 1f), (3f, 3f)), (oneAhead, threeAhead));
        Assert.Throws<ArgumentException>(() => waiting.CopyTo(WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([1, 4]), rows: 1)));
    }

    [Fact]
    public void EachRowOfATableKeepsItsOwnForecasts()
    {
        var table = WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([1, 3]), rows: 3);
        var (first, second, third) = (table.Row(0), table.Row(1), table.Row(2));
        Assert.True(first.TryRecord(0, 50, (1f, 1f)));
        Assert.True(second.TryRecord(0, 50, (2f, 2f)));
        Assert.True(second.TryRecord(1, 50, (3f, 3f)));

        Assert.False(third.TryTake(0, 51, out _));
        Assert.True(second.TryTake(0, 51, out var secondsOwn));
        Assert.Equal((2f, 2f), secondsOwn);
        Assert.True(first.TryTake(0, 51, out var firstsOwn));
        Assert.Equal((1f, 1f), firstsOwn);

        // Emptied, a row forgets what waited in it; its neighbours keep theirs.
        Assert.True(first.TryRecord(1, 50, (4f, 4f)));
        second.Empty();
        Assert.False(second.TryTake(1, 53, out _));
        Assert.True(first.TryTake(1, 53, out var firstsLong));
        Assert.Equal((4f, 4f), firstsLong);

        // A row copied to another table's row, and to one of its own kind alone.
        Assert.True(third.TryRecord(1, 60, (5f, 5f)));
        var alone = WaitingForecasts<(float, float)>.ForRows(WaitingSchedule.For([1, 3]), rows: 1);
        third.CopyTo(alone);
        Assert.True(alone.TryTake(1, 63, out var copied));
        Assert.Equal((5f, 5f), copied);
        Assert.Throws<ArgumentOutOfRangeException>(() => table.Row(3));
    }
}
