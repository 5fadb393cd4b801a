using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class HoltWintersModelTests
{
    /// <summary>The same filter in double precision throughout: what the compact season must stay close to.</summary>
    private sealed class DoubleOracle(double alpha, double beta, double gamma, double level, double trend, double[] season)
    {
        private int _phase;

        public void Observe(double value)
        {
            int k = _phase;
            _phase = (k + 1) % season.Length;
            double next = alpha * (value - season[k]) + (1 - alpha) * (level + trend);
            trend = beta * (next - level) + (1 - beta) * trend;
            season[k] = gamma * (value - next) + (1 - gamma) * season[k];
            level = next;
        }

        public double Forecast(int steps) => level + steps * trend + season[(_phase + steps - 1) % season.Length];

        public double LargestOffset => season.Max(Math.Abs);
    }

    [Theory]
    [InlineData(1.0)]           // a percentage
    [InlineData(4e11)]          // bytes: far past Half's range without the scale
    [InlineData(1e-6)]          // seconds of latency
    public void FilteringWithTheCompactSeasonStaysWithinAFractionOfTheSeasonsSizeOfDoublePrecision(double unit)
    {
        const int Season = 1440;
        var random = new Random(7);
        var season = Enumerable.Range(0, Season).Select(i => 20 * unit * Math.Sin(2 * Math.PI * i / Season)).ToArray();
        var model = new HoltWintersModel(0.3, 0.01, 0.2, 50 * unit, 0, season, 0, 0);
        var oracle = new DoubleOracle(0.3, 0.01, 0.2, 50 * unit, 0, (double[])season.Clone());
        for (int step = 0; step < 3 * Season; step++)
        {
            double value = unit * (50 + 20 * Math.Sin(2 * Math.PI * step / Season) + 3 * random.NextDouble());
            model.Observe(value);
            oracle.Observe(value);
        }
        foreach (int steps in new[] { 1, 60, 360, Season })
        {
            // Half keeps 11 significant bits: each stored offset within 1/2048 of the scale, and the filter
            // forgets old rounding at the rate (1 - gamma) per visit of a phase.
            double tolerance = oracle.LargestOffset / 1000;
            Assert.InRange(model.Forecast(steps), oracle.Forecast(steps) - tolerance, oracle.Forecast(steps) + tolerance);
        }
    }

    [Fact]
    public void AnOffsetFarPastTheFittedSeasonIsKeptInsteadOfOverflowing()
    {
        // Fitted on a flat stretch (offsets of a millionth), then the series takes a daily swing of 1e9.
        const int Season = 24;
        var season = Enumerable.Range(0, Season).Select(i => 1e-6 * (i % 2 == 0 ? 1 : -1)).ToArray();
        var model = new HoltWintersModel(0.2, 0, 0.9, 0, 0, season, 0, 0);
        var oracle = new DoubleOracle(0.2, 0, 0.9, 0, 0, (double[])season.Clone());
        for (int step = 0; step < 5 * Season; step++)
        {
            double value = step % Season < 12 ? 1e9 : -1e9;
            model.Observe(value);
            oracle.Observe(value);
        }
        for (int steps = 1; steps <= Season; steps++)
        {
            Assert.True(double.IsFinite(model.Forecast(steps)));
            Assert.InRange(model.Forecast(steps), oracle.Forecast(steps) - oracle.LargestOffset / 1000, oracle.Forecast(steps) + oracle.LargestOffset / 1000);
        }
    }

    [Fact]
    public void SavedAndReadBackTheModelForecastsAsBefore()
    {
        var season = Enumerable.Range(0, 288).Select(i => 1e9 * Math.Cos(i / 10.0)).ToArray();
        var model = new HoltWintersModel(0.4, 0.05, 0.1, 5e9, 1e3, season, 17, 12.5);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            model.WriteTo(writer);
        stream.Position = 0;
        var read = HoltWintersModel.ReadFrom(new BinaryReader(stream), maxSeason: 288);
        for (int steps = 1; steps <= 288; steps += 7)
            Assert.Equal(model.Forecast(steps), read.Forecast(steps));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ASavedSeasonWithAnOffsetThatIsNotFiniteIsRefused(bool offsetsAsDoubles)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(0.5); writer.Write(0.1); writer.Write(0.1);
            writer.Write(1.0); writer.Write(0.0);
            writer.Write(0); writer.Write(0.0);
            writer.Write(2);
            if (offsetsAsDoubles)
            {
                writer.Write(1.0);
                writer.Write(double.NaN);
            }
            else
            {
                writer.Write(1.0);                                          // the scale
                writer.Write(BitConverter.HalfToUInt16Bits((Half)0.5));
                writer.Write(BitConverter.HalfToUInt16Bits(Half.PositiveInfinity));
            }
        }
        stream.Position = 0;
        var error = Assert.Throws<InvalidDataException>(() => HoltWintersModel.ReadFrom(new BinaryReader(stream), maxSeason: 10, offsetsAsDoubles));
        Assert.Contains("not finite", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(17)]
    [InlineData(23)]
    public void AForecastReadsTheOffsetOfThePhaseItLandsOnHoweverManySeasonsAhead(int nextPhase)
    {
        // Phase i's offset is i + 1 (kept as a Half of (i + 1) / 24, the largest offset being the scale); no
        // level, no trend: a forecast is the offset of the phase it lands on, within a season or many past it.
        const int Season = 24;
        var model = new HoltWintersModel(0.5, 0.1, 0.1, 0, 0, [.. Enumerable.Range(1, Season).Select(i => (double)i)], nextPhase, 0);
        for (int steps = 1; steps <= 7 * Season + 3; steps++)
        {
            int phase = (nextPhase + steps - 1) % Season;
            double expected = (double)(Half)((phase + 1) / (double)Season) * Season;
            Assert.True(expected == model.Forecast(steps), $"{steps} steps ahead: {model.Forecast(steps)} where {expected}");
        }
        // The step after the last phase is the first again.
        for (int step = 0; step < Season - nextPhase; step++)
            model.Observe(double.NaN);
        Assert.Equal((double)(Half)(1 / (double)Season) * Season, model.Forecast(1));
    }
}
