using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class ThresholdCrossingTests
{
    private static readonly double[] Horizons = [300, 3600, 21600];

    [Fact]
    public void InterpolatesBetweenTheHorizonsAroundTheCrossing()
    {
        // 80 now, 82 in 5 min, 90 in 1 h, 100 in 6 h: 95 is crossed half-way from 1 h to 6 h.
        Assert.Equal(3600 + 0.5 * (21600 - 3600), ThresholdCrossing.SecondsUntil(80, Horizons, [82, 90, 100], 95, above: true), 6);
        // A linear fill of 1 per minute from 60 reaches 90 in 30 minutes.
        Assert.Equal(1800, ThresholdCrossing.SecondsUntil(60, Horizons, [65, 120, 420], 90, above: true), 6);
    }

    [Fact]
    public void NoCrossingIsNoValueAndPastTheThresholdIsZero()
    {
        Assert.True(double.IsNaN(ThresholdCrossing.SecondsUntil(80, Horizons, [82, 85, 94.9f], 95, above: true)));
        Assert.Equal(0, ThresholdCrossing.SecondsUntil(96, Horizons, [97, 98, 99], 95, above: true));
    }

    [Fact]
    public void BelowMeansFallingToTheThreshold()
    {
        Assert.Equal(300, ThresholdCrossing.SecondsUntil(20, Horizons, [10, 5, 0], 10, above: false), 6);
        Assert.True(double.IsNaN(ThresholdCrossing.SecondsUntil(20, Horizons, [30, 40, 50], 10, above: false)));
    }

    [Fact]
    public void ACycleThatComesBackBeforeTheThresholdDoesNotCross()
    {
        // A daily cycle peaking at 85 in the afternoon: the trend of the morning rise would cross 90, the forecast doesn't.
        Assert.True(double.IsNaN(ThresholdCrossing.SecondsUntil(70, Horizons, [71, 80, 72], 90, above: true)));
    }
}
