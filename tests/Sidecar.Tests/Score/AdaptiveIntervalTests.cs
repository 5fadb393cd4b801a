using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class AdaptiveIntervalTests
{
    /// <summary>
    /// Runs forecasts with a band of ±1 whose outcomes have the spread <paramref name="spread"/> (a function of
    /// the step, for drift); returns the share of outcomes inside the band as published, from <paramref name="from"/> on.
    /// </summary>
    private static double Coverage(int horizon, Func<long, double> spread, int steps, int from, int seed = 1)
    {
        var interval = new AdaptiveInterval([horizon], 0.9);
        var random = new Random(seed);
        var published = new Dictionary<long, float>();
        int covered = 0, judged = 0;
        for (long t = 0; t < steps; t++)
        {
            // The outcome of step t: normal noise around the median 0.
            double u1 = 1 - random.NextDouble(), u2 = random.NextDouble();
            float actual = (float)(spread(t) * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
            if (published.Remove(t, out float stretch) && t >= from)
            {
                judged++;
                covered += Math.Abs(actual) <= stretch ? 1 : 0;
            }
            interval.Observe(t, actual);
            published[t + horizon] = interval.Stretch(0);
            interval.Record(0, t, 0, -1, 1);
        }
        return covered / (double)judged;
    }

    [Fact]
    public void ATooNarrowBandIsStretchedToItsPromisedCoverage()
    {
        // The model's ±1 holds 68 % of outcomes of spread 1, 41 % of spread 2.
        Assert.InRange(Coverage(1, _ => 1, 20_000, 2_000), 0.88, 0.92);
        Assert.InRange(Coverage(1, _ => 2, 20_000, 2_000), 0.88, 0.92);
    }

    [Fact]
    public void ATooWideBandIsNarrowed()
    {
        Assert.InRange(Coverage(1, _ => 0.2, 20_000, 2_000), 0.88, 0.92);
    }

    [Fact]
    public void CoverageHoldsThroughDrift()
    {
        // The errors triple in size half-way, then fall back to a third: both stretches are found again.
        double Drift(long t) => t < 10_000 ? 1 : t < 20_000 ? 3 : 0.5;
        Assert.InRange(Coverage(1, Drift, 30_000, 2_000), 0.88, 0.92);
        Assert.InRange(Coverage(1, Drift, 20_000, 12_000), 0.88, 0.92);
    }

    [Fact]
    public void LongHorizonsLearnFromEveryKthForecastWithinTheirRing()
    {
        // 360 steps ahead (6 h of minutes): the ring keeps 16 forecasts, one every 23 steps.
        Assert.InRange(Coverage(360, _ => 1.5, 200_000, 40_000), 0.88, 0.92);
    }

    [Fact]
    public void GapsAndBandsWithoutIntervalsChangeNothing()
    {
        var interval = new AdaptiveInterval([1], 0.9);
        interval.Record(0, 0, 0, float.NaN, float.NaN);
        interval.Observe(1, 100);
        interval.Record(0, 1, 0, -1, 1);
        interval.Observe(2, float.NaN);
        Assert.Equal(1f, interval.Stretch(0));
    }
}
