using Sidecar.Store;

namespace Sidecar.Tests.Store;

public sealed class CounterRateWindowTests
{
    private const long Step = 60_000;

    private static List<(long Window, double Rate)> Rates(IEnumerable<(long T, double V)> samples)
    {
        var window = new CounterRateWindow();
        var rates = new List<(long, double)>();
        foreach (var (t, v) in samples)
        {
            if (window.Add(t, v, Step, out long finished, out double rate))
                rates.Add((finished, rate));
        }
        return rates;
    }

    [Fact]
    public void ASteadyCounterGivesItsSlope()
    {
        // 15s scrapes, +30 per scrape: 2/s. Samples sit inside the windows, so extrapolation fills the edges.
        var rates = Rates(Enumerable.Range(0, 20).Select(i => (1_000_000_020_000L + i * 15_000L, 1000.0 + 30 * i)));
        Assert.All(rates.Skip(1), r => Assert.Equal(2.0, r.Rate, 9));
    }

    [Fact]
    public void ResetsAreAddedBackAsPromQlDoes()
    {
        // Window (…020s, …080s]: samples at 25, 40, 55 and 70 s, one reset from 130 to 10.
        long t = 1_000_000_025_000;
        var rates = Rates([(t, 100), (t + 15_000, 130), (t + 30_000, 10), (t + 45_000, 40), (t + 60_000, 70)]);
        var (_, rate) = Assert.Single(rates);
        // Increase 40 - 100 + 130 = 70 over 45 s of samples; 5 s to the window's start and 10 s to its end are
        // both under 1.1 × the 15 s interval, so the whole 60 s window is covered: 70 · 60/45 / 60 s.
        Assert.Equal(70.0 * 60 / 45 / 60, rate, 9);
    }

    [Fact]
    public void AWindowWithOneSampleHasNoRateAndLateSamplesAreIgnored()
    {
        var window = new CounterRateWindow();
        long t = 1_000_000_020_000;
        Assert.False(window.Add(t, 1, Step, out _, out _));
        Assert.True(window.Add(t + 60_000, 5, Step, out long finished, out double rate));
        Assert.Equal((t - 1) / Step, finished);
        Assert.True(double.IsNaN(rate));
        Assert.False(window.Add(t, 1, Step, out _, out _));
        Assert.False(window.Add(t + 60_000, 5, Step, out _, out _));
    }
}
