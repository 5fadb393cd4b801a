using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class CombinationBlockTests
{
    [Fact]
    public void FromTheDaysOutcomeCountOnTheDaysRateIsTheLargerOfTheTwoAsMathMaxChoosesIt()
    {
        // Every day of 1 to 1,440 steps (and a few longer), at strides 1, 2, 3 and 23: the rate the judging
        // takes without a division must be Math.Max(1.0 / n, alpha) to the bit, before, at and after the switch.
        var schedule = WaitingSchedule.For([1, 17, 40, 360]);
        foreach (int day in Enumerable.Range(1, 1440).Concat([4_321, 8_640, 1 << 16]))
        {
            var block = new CombinationBlock(schedule, day, rows: 1);
            for (int h = 0; h < schedule.Horizons; h++)
            {
                double alpha = block.DayAlpha[h];
                int first = block.DayOutcomes[h];
                Assert.True(first >= 1);
                foreach (int n in new[] { 1, first - 1, first, first + 1, 2 * first + 3 })
                {
                    if (n < 1)
                        continue;
                    double taken = n >= first ? alpha : 1.0 / n;
                    Assert.True(Math.Max(1.0 / n, alpha) == taken, $"day {day}, horizon {h}, outcome {n}: {taken}");
                }
                if (first > 1)
                    Assert.True(1.0 / (first - 1) > alpha, $"day {day}, horizon {h}: {first} is not the first");
            }
        }
    }
}
