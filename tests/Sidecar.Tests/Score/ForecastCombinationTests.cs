using Sidecar.Model.Baselines;
using Sidecar.Score;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Score;

public sealed class ForecastCombinationTests
{
    private const int Day = 48;

    /// <summary>A Holt-Winters that repeats the last value it saw (α 1, no trend, no season): easy to reason about.</summary>
    private static HoltWintersModel LastValue(double level) => new(1, 0, 0, level, 0, new double[Day], 0, 0);

    [Fact]
    public void WithoutAModelTheLstmStandsAlone()
    {
        var combination = new ForecastCombination([1, 6], Day);
        Assert.Equal(42f, combination.Combine(0, 10, 42f));
        Assert.Equal(7f, combination.Combine(1, 10, 7f));
    }

    [Fact]
    public void AModelThatHasNotReachedTheStepIsNotUsed()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(100), fittedThrough: 10);
        // Fitted through step 10: a forecast made at step 11 waits until step 11 is fed.
        Assert.Equal(0f, combination.Combine(0, 11, 0f));
        combination.Feed(11, [100f]);
        Assert.Equal(50f, combination.Combine(0, 11, 0f));
    }

    [Fact]
    public void MembersCountEquallyUntilEnoughOutcomesThenByTheirErrors()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(100), fittedThrough: 0);
        // The series stays at 100; the LSTM keeps saying 110, the Holt-Winters 100.
        for (long step = 1; step <= 40; step++)
        {
            combination.Observe(step, 100f);
            combination.Feed(step, [100f]);
            float combined = combination.Combine(0, step, 110f);
            if (step <= ForecastCombination.MinimumOutcomes)
                Assert.Equal(105f, combined);
        }
        // The Holt-Winters has been exact: nearly all the weight is its.
        Assert.True(combination.LstmWeight(0) < 1e-6, $"LSTM weight {combination.LstmWeight(0)}");
        Assert.Equal(100f, combination.Combine(0, 40, 110f), 0.01f);
    }

    [Fact]
    public void ErrorsOnTheSameSideLeaveTheBetterMemberAlone()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(0), fittedThrough: 0);
        // Outcome 0 every step; the LSTM is off by +1, the Holt-Winters (fed 3, so forecasting 3) by +3.
        Replay(combination, last: 200, outcome: 0f, fed: 3f, lstm: 1f);
        // Inverse-error weights would give the LSTM three quarters (0.75 off); any share of the other member only adds error.
        Assert.Equal(1.0, combination.LstmWeight(0));
        Assert.Equal(1f, combination.Combine(0, 200, 1f));
    }

    [Fact]
    public void ErrorsOnOppositeSidesAreMixedToCancel()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(0), fittedThrough: 0);
        // Outcome 0; the LSTM says +2, the Holt-Winters -1: a third of the LSTM cancels them, the grid's nearest is 0.3.
        Replay(combination, last: 200, outcome: 0f, fed: -1f, lstm: 2f);
        Assert.Equal(0.3, combination.LstmWeight(0), 9);
        Assert.Equal(0.3f * 2 + 0.7f * -1, combination.Combine(0, 200, 2f), 1e-5f);
    }

    [Fact]
    public void EquallyGoodMembersStayAveraged()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(0), fittedThrough: 0);
        // Both say +1: every mix is exactly as good, and the tie keeps the middle rather than either end.
        Replay(combination, last: 100, outcome: 0f, fed: 1f, lstm: 1f);
        Assert.Equal(0.5, combination.LstmWeight(0), 9);
    }

    [Fact]
    public void ALongHorizonLearnsFromTheForecastsItKeeps()
    {
        const int Horizon = 72;
        var combination = new ForecastCombination([Horizon], Day);
        combination.Adopt(LastValue(100), fittedThrough: 0);
        Replay(combination, last: 2000, outcome: 100f, fed: 100f, lstm: 90f);
        // Only every 5th forecast waits in the ring of 16 (72 steps ahead); those outcomes still move the weights.
        Assert.True(combination.LstmWeight(0) < 1e-6, $"LSTM weight {combination.LstmWeight(0)}");
    }

    [Fact]
    public void GapsAreNotJudged()
    {
        var combination = new ForecastCombination([1], Day);
        combination.Adopt(LastValue(100), fittedThrough: 0);
        Replay(combination, last: 40, outcome: float.NaN, fed: float.NaN, lstm: 110f);
        Assert.Equal(0.5, combination.LstmWeight(0));
    }

    [Fact]
    public void StateCarriesOverOnlyToTheSameHorizonsAndDay()
    {
        var combination = new ForecastCombination([1, 12], 288);
        Assert.True(combination.Fits([1, 12], 288));
        Assert.False(combination.Fits([1, 6], 288));
        Assert.False(combination.Fits([1, 12], 1440));
    }

    /// <summary>
    /// The combination as its remarks define it, written plainly: one waiting forecast per target step (every
    /// k-th step's on long horizons), each mix's error an average with weight max(1 / n, 2 / (outcomes a day + 1)),
    /// the mix with the least error (the middle on ties) once a horizon has its minimum of outcomes.
    /// </summary>
    private sealed class Definition(int[] horizons, int day)
    {
        private readonly Dictionary<(int Horizon, long Target), (float Lstm, float Other)> _waiting = [];
        private readonly double[,] _errors = new double[horizons.Length, 11];
        private readonly int[] _outcomes = new int[horizons.Length];

        private static int Stride(int steps) => Math.Max(1, (steps + 16) / 16);

        public void Observe(long step, float actual)
        {
            if (float.IsNaN(actual))
                return;
            for (int h = 0; h < horizons.Length; h++)
            {
                if (!_waiting.Remove((h, step), out var members))
                    continue;
                int n = ++_outcomes[h];
                double alpha = Math.Max(1.0 / n, 2.0 / (Math.Max(1.0, (double)day / Stride(horizons[h])) + 1));
                for (int k = 0; k < 11; k++)
                {
                    double w = k / 10.0;
                    _errors[h, k] += alpha * (Math.Abs(actual - (w * members.Lstm + (1 - w) * members.Other)) - _errors[h, k]);
                }
            }
        }

        public float Combine(int h, long step, float lstm, HoltWintersModel model)
        {
            float other = (float)model.Forecast(horizons[h]);
            if (step % Stride(horizons[h]) == 0)
                _waiting[(h, step + horizons[h])] = (lstm, other);
            int best = 5;
            for (int k = 0; k < 11; k++)
            {
                if (_errors[h, k] < _errors[h, best] * (1 - 1e-9))
                    best = k;
            }
            double w = _outcomes[h] < ForecastCombination.MinimumOutcomes ? 0.5 : best / 10.0;
            return (float)(w * lstm + (1 - w) * other);
        }
    }

    [Fact]
    public void CombinedForecastsAreTheDefinitionsToTheBit()
    {
        // Five horizons (strides 1, 1, 2, 4 and 23, a ring's worth of forecasts waiting on the longest), a
        // noisy daily series with gaps, an LSTM now better and now worse than the Holt-Winters: every mix
        // wins somewhere, and each combined forecast must be exactly what the definition gives.
        const int Days = 96;
        int[] horizons = [1, 5, 30, 60, 360];
        var combination = new ForecastCombination(horizons, Days);
        var definition = new Definition(horizons, Days);
        double[] season = [.. Enumerable.Range(0, Days).Select(i => 5 * Math.Sin(2 * Math.PI * i / Days))];
        combination.Adopt(new HoltWintersModel(0.3, 0.02, 0.2, 50, 0, season, 0, 0), fittedThrough: 0);
        var model = new HoltWintersModel(0.3, 0.02, 0.2, 50, 0, season, 0, 0);
        var random = new Random(5);
        for (long step = 1; step <= 40 * Days; step++)
        {
            float actual = random.Next(50) == 0 ? float.NaN : (float)(50 + 5 * Math.Sin(2 * Math.PI * step / Days) + random.NextDouble());
            combination.Observe(step, actual);
            definition.Observe(step, actual);
            combination.Feed(step, [actual]);
            model.Observe(actual);
            for (int h = 0; h < horizons.Length; h++)
            {
                float lstm = actual + (float)((step / 500 % 3 - 1) * (h + 1) * random.NextDouble());
                if (float.IsNaN(lstm))
                    lstm = 50;
                float expected = definition.Combine(h, step, lstm, model), combined = combination.Combine(h, step, lstm);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(combined),
                    $"step {step}, horizon {horizons[h]}: {combined} where the definition gives {expected}");
            }
        }
    }

    private static byte[] Saved(ForecastCombination combination) => SavedBytes.Of(combination.WriteTo);

    /// <summary>Series s's value at a step: a daily cycle of its own, a gap now and then.</summary>
    private static float Outcome(int s, long step) => (step * 7 + s) % 61 == 0 ? float.NaN : (float)(50 + s + 5 * Math.Sin(2 * Math.PI * step / Day + s) + (step * 13 + s) % 7 / 7.0);

    /// <summary>One step of series s for a combination: the outcome judged, the model fed, each horizon combined.</summary>
    private static float[] StepOf(ForecastCombination combination, int s, long step, int horizons)
    {
        float actual = Outcome(s, step);
        combination.Observe(step, actual);
        combination.Feed(step, [actual]);
        var combined = new float[horizons];
        for (int h = 0; h < horizons; h++)
            combined[h] = combination.Combine(h, step, float.IsNaN(actual) ? 50 : actual + (float)((step / 40 % 3 - 1) * (h + 1) * ((step + s) % 5) / 5.0));
        return combined;
    }

    [Fact]
    public void CombinationsInATargetsRowsJudgeAndCombineAsEachAloneToTheBit()
    {
        // Seventy series in a target's rows (two blocks, every row of the first used), each beside a twin that
        // stands alone: every combined forecast, weight and saved state the same, step after step.
        const int Count = 70;
        int[] horizons = [1, 5, 12, 30];
        var rows = new CombinationRows(horizons, Day);
        var inRows = new ForecastCombination[Count];
        var alone = new ForecastCombination[Count];
        for (int s = 0; s < Count; s++)
        {
            double[] season = [.. Enumerable.Range(0, Day).Select(i => 5 * Math.Sin(2 * Math.PI * i / Day + s))];
            inRows[s] = new ForecastCombination(rows, s);
            alone[s] = new ForecastCombination(horizons, Day);
            inRows[s].Adopt(new HoltWintersModel(0.3, 0.02, 0.2, 50 + s, 0, season, s % Day, 0), fittedThrough: 0);
            alone[s].Adopt(new HoltWintersModel(0.3, 0.02, 0.2, 50 + s, 0, season, s % Day, 0), fittedThrough: 0);
        }
        Assert.Equal(2, rows.Blocks);
        for (long step = 1; step <= 6 * Day; step++)
        {
            for (int s = 0; s < Count; s++)
            {
                Assert.Equal(StepOf(alone[s], s, step, horizons.Length), StepOf(inRows[s], s, step, horizons.Length));
                for (int h = 0; h < horizons.Length; h++)
                    Assert.True(alone[s].LstmWeight(h) == inRows[s].LstmWeight(h), $"series {s}, step {step}, horizon {h}");
            }
        }
        for (int s = 0; s < Count; s++)
        {
            Assert.Equal(Saved(alone[s]), Saved(inRows[s]));
            Assert.Equal(Saved(alone[s]), Saved(inRows[s].Clone()));
        }
    }

    [Fact]
    public void ACombinationMovedIntoARowGoesOnAsAloneAndANewOneStartsItsRowAfresh()
    {
        int[] horizons = [1, 6];
        var rows = new CombinationRows(horizons, Day);
        // Row 3 first holds another series' combination, which has seen outcomes.
        var earlier = new ForecastCombination(rows, 3);
        earlier.Adopt(LastValue(80), fittedThrough: 0);
        for (long step = 1; step <= 60; step++)
            StepOf(earlier, 9, step, horizons.Length);
        Assert.NotEqual(0.5, earlier.LstmWeight(0));

        // A combination restored for the series that now has id 3 moves in, and goes on as its twin does.
        var restored = new ForecastCombination(horizons, Day);
        restored.Adopt(LastValue(60), fittedThrough: 0);
        for (long step = 1; step <= 60; step++)
            StepOf(restored, 1, step, horizons.Length);
        var twin = ForecastCombination.ReadFrom(new BinaryReader(new MemoryStream(Saved(restored))));
        restored.MoveTo(rows, 3);
        for (long step = 61; step <= 200; step++)
            Assert.Equal(StepOf(twin, 1, step, horizons.Length), StepOf(restored, 1, step, horizons.Length));
        Assert.Equal(Saved(twin), Saved(restored));

        // A new series taking id 3 starts from equal weights with nothing waiting.
        var fresh = new ForecastCombination(rows, 3);
        Assert.Equal(Saved(new ForecastCombination(horizons, Day)), Saved(fresh));
        Assert.Throws<ArgumentException>(() => new ForecastCombination([1, 7], Day).MoveTo(rows, 4));
    }

    /// <summary>Steps 1 to <paramref name="last"/>: each step's outcome arrives, the Holt-Winters is fed
    /// <paramref name="fed"/>, and the LSTM's forecast made there is <paramref name="lstm"/>.</summary>
    private static void Replay(ForecastCombination combination, long last, float outcome, float fed, float lstm)
    {
        for (long step = 1; step <= last; step++)
        {
            combination.Observe(step, outcome);
            combination.Feed(step, [fed]);
            combination.Combine(0, step, lstm);
        }
    }
}
