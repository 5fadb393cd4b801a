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

    private static HoltWintersModel Fitted(int seed, int season, int nextPhase)
    {
        var random = new Random(seed);
        double[] offsets = [.. Enumerable.Range(0, season).Select(i => 5 * Math.Sin(2 * Math.PI * i / season + seed) + random.NextDouble())];
        return new HoltWintersModel(0.3, 0.02, 0.25, 40 + seed, 0.01 * seed, offsets, nextPhase, 1.5);
    }

    [Fact]
    public void AModelMovedIntoATableColumnForecastsAndFiltersToTheBitAsWithItsOwnArray()
    {
        // Four models share one table, each beside three others that go on filtering their own values; each
        // has a twin that keeps its own array. Gaps, and a jump that makes the moved models rescale their
        // offsets within their column, on the way.
        const int Season = 48, Columns = 4;
        var table = new Half[Season * Columns];
        var moved = Enumerable.Range(0, Columns).Select(c => Fitted(c, Season, nextPhase: 7 * c + 3)).ToArray();
        var twins = moved.Select(m => m.Clone()).ToArray();
        long nextStep = 1_000_003;
        for (int c = 0; c < Columns; c++)
            moved[c].MoveSeasonTo(table, c, Columns, nextStep);
        var random = new Random(5);
        for (int step = 0; step < 4 * Season; step++)
        {
            for (int c = 0; c < Columns; c++)
            {
                double value = step % 17 == c ? double.NaN : 40 + c + 5 * Math.Sin(step / 3.0 + c) + random.NextDouble();
                if (step >= 2 * Season && c == 2)
                    value *= 1e7;
                moved[c].Observe(value);
                twins[c].Observe(value);
            }
            for (int c = 0; c < Columns; c++)
            {
                foreach (int ahead in new[] { 1, 5, 12, Season - 1, Season, Season + 5, 3 * Season + 1 })
                    Assert.True(twins[c].Forecast(ahead).Equals(moved[c].Forecast(ahead)), $"column {c}, step {step}, {ahead} ahead: {moved[c].Forecast(ahead)} where {twins[c].Forecast(ahead)}");
            }
        }
        // Copies and saved states leave the table behind and carry on alike.
        for (int c = 0; c < Columns; c++)
        {
            using var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                moved[c].WriteTo(writer);
            stream.Position = 0;
            var read = HoltWintersModel.ReadFrom(new BinaryReader(stream), maxSeason: Season);
            var copy = moved[c].Clone();
            foreach (var other in new[] { read, copy, twins[c] })
                other.Observe(41);
            moved[c].Observe(41);
            for (int ahead = 1; ahead <= Season + 1; ahead++)
            {
                Assert.True(twins[c].Forecast(ahead).Equals(read.Forecast(ahead)), $"read back, column {c}, {ahead} ahead");
                Assert.True(twins[c].Forecast(ahead).Equals(copy.Forecast(ahead)), $"copied, column {c}, {ahead} ahead");
                Assert.True(twins[c].Forecast(ahead).Equals(moved[c].Forecast(ahead)), $"moved, column {c}, {ahead} ahead");
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(47)]
    [InlineData(1_000_003)]
    public void AMovedModelsPhaseIsItsStepsPlaceInTheSeasonSoOneTargetsModelsShareARow(long nextStep)
    {
        // Fitted on histories of different lengths, models come with any phase; moved, the step they take in
        // next falls on the same row for all, and each row holds what that phase held before.
        const int Season = 48, Columns = 3;
        var table = new Half[Season * Columns];
        for (int c = 0; c < Columns; c++)
        {
            var model = Fitted(c, Season, nextPhase: 11 * c + 5);
            double[] before = [.. Enumerable.Range(1, Season).Select(model.Forecast)];
            model.MoveSeasonTo(table, c, Columns, nextStep);
            Assert.Equal((int)(nextStep % Season), model.NextPhase);
            Assert.Equal(before, Enumerable.Range(1, Season).Select(model.Forecast));
        }
    }

    [Theory]
    [InlineData(-1, 4, 48 * 4)]
    [InlineData(4, 4, 48 * 4)]
    [InlineData(0, 0, 48 * 4)]
    [InlineData(3, 4, 48 * 4 - 1)]
    public void AColumnOutsideTheTableIsRefused(int column, int columns, int tableLength)
    {
        var model = Fitted(1, 48, nextPhase: 0);
        Assert.Throws<ArgumentException>(() => model.MoveSeasonTo(new Half[tableLength], column, columns, 10));
        Assert.True(double.IsFinite(model.Forecast(1)));
    }

    [Fact]
    public void ATablesModelOfAnotherSeasonKeepsItsOwnArrayAndABlockIsMadeOnlyForIdsThatHoldOne()
    {
        var seasons = new HoltWintersSeasons(seasonSteps: 48);
        var other = Fitted(1, 24, nextPhase: 3);
        double[] before = [.. Enumerable.Range(1, 30).Select(other.Forecast)];
        seasons.Hold(5, other, nextStep: 100);
        Assert.Equal(3, other.NextPhase);
        Assert.Equal(before, Enumerable.Range(1, 30).Select(other.Forecast));
        Assert.Equal(0, seasons.Blocks);
        seasons.Hold(HoltWintersSeasons.Columns * 3 + 1, Fitted(2, 48, nextPhase: 0), nextStep: 100);
        seasons.Hold(HoltWintersSeasons.Columns * 3 + 2, Fitted(3, 48, nextPhase: 9), nextStep: 100);
        Assert.Equal(1, seasons.Blocks);
    }
}
