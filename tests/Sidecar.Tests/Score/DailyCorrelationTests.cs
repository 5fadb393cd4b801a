using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class DailyCorrelationTests
{
    private static double TwoPass(IReadOnlyList<(double X, double Y)> pairs)
    {
        double meanX = pairs.Average(p => p.X), meanY = pairs.Average(p => p.Y);
        double products = pairs.Sum(p => (p.X - meanX) * (p.Y - meanY));
        return products / Math.Sqrt(pairs.Sum(p => (p.X - meanX) * (p.X - meanX)) * pairs.Sum(p => (p.Y - meanY) * (p.Y - meanY)));
    }

    [Fact]
    public void WithoutFadingItIsThePearsonCorrelation()
    {
        var random = new Random(7);
        var pairs = Enumerable.Range(0, 500).Select(_ => random.NextDouble()).Select(x => (x, 0.6 * x + 0.4 * random.NextDouble())).ToList();
        var correlation = new DailyCorrelation();
        foreach (var (x, y) in pairs)
            correlation.Add(x, y, keep: 1);
        Assert.Equal(500, correlation.Pairs);
        Assert.Equal(TwoPass(pairs), correlation.Correlation, 12);
    }

    [Fact]
    public void HugeValuesThatMoveLittleKeepTheirPrecision()
    {
        // A byte counter: raw sums of squares (1e24) would leave nothing of swings of 1 in a double.
        var pairs = Enumerable.Range(0, 2000).Select(i => (1e12 + Math.Sin(i / 10.0), 1e12 + Math.Sin(i / 10.0 - 0.3))).ToList();
        var correlation = new DailyCorrelation();
        foreach (var (x, y) in pairs)
            correlation.Add(x, y, keep: 1);
        var centred = pairs.Select(p => (p.Item1 - 1e12, p.Item2 - 1e12)).ToList();
        Assert.Equal(TwoPass(centred), correlation.Correlation, 5);
    }

    [Fact]
    public void OldPairsFadeSoAPatternThatTurnsAroundIsFollowed()
    {
        var fading = new DailyCorrelation();
        var lasting = new DailyCorrelation();
        double keep = Math.Pow(0.5, 1 / 100.0);
        for (int i = 0; i < 2000; i++)
        {
            double x = Math.Sin(i / 7.0), y = i < 1000 ? x : -x;
            fading.Add(x, y, keep);
            lasting.Add(x, y, keep: 1);
        }
        Assert.True(fading.Correlation < -0.99, $"faded {fading.Correlation}");
        Assert.InRange(lasting.Correlation, -0.05, 0.05);
    }

    [Fact]
    public void NothingMovesNothingCorrelates()
    {
        var correlation = new DailyCorrelation();
        Assert.Equal(0, correlation.Correlation);
        for (int i = 0; i < 10; i++)
            correlation.Add(5, i, keep: 1);
        Assert.Equal(0, correlation.Correlation);
    }

    [Fact]
    public void ItRoundTripsAndGoesOnAsBefore()
    {
        var original = new DailyCorrelation();
        for (int i = 0; i < 50; i++)
            original.Add(i % 7, i % 5, 0.99);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            original.WriteTo(writer);
        stream.Position = 0;
        var copy = DailyCorrelation.ReadFrom(new BinaryReader(stream));
        original.Add(3, 1, 0.99);
        copy.Add(3, 1, 0.99);
        Assert.Equal(original.Correlation, copy.Correlation);
        Assert.Equal(original.Pairs, copy.Pairs);
    }
}
