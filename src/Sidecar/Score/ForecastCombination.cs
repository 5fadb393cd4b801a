using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Sidecar.Model;
using Sidecar.Model.Baselines;

namespace Sidecar.Score;

/// <summary>
/// One series' forecast as the LSTM's median combined with a fitted Holt-Winters (<c>model.combine:
/// holt_winters</c>), per horizon: the two are mixed with the weight, out of eleven (0, 0.1, …, 1), whose
/// mix had the least absolute error over the recent outcomes of this series. Until a horizon has
/// <see cref="MinimumOutcomes"/> outcomes the two count equally; without a fitted model the LSTM's median
/// stands alone.
/// </summary>
/// <remarks>
/// The best mix rather than inverse-error weights (Bates and Granger's): the two members' errors are
/// strongly correlated, and then inverse-error weights stay near one half even where one member alone, or a
/// mix that cancels their errors, does better. One weight per horizon, chosen on about a day of outcomes,
/// has little to overfit; on the development set it beat the inverse-error weights at every horizon
/// (docs/accuracy.md). The mixes' errors are exponentially weighted over about a day of outcomes, which is
/// what a trailing day's mean does without keeping the day. Forecasts wait for their outcome in
/// <see cref="WaitingForecasts{TPayload}"/>; on long horizons only every k-th step's forecast is kept, which changes
/// how often the weights move, not what they settle to.
/// The Holt-Winters model is fitted off the inference loop and handed in (<see cref="Adopt"/>); between
/// fits it is filtered here with every step's value. The judging (errors, weights, waiting forecasts) is a
/// row of a <see cref="CombinationBlock"/>: of its own, or, for a series the pipeline serves, of its target's
/// <see cref="CombinationRows"/>. Touched by the inference loop only.
/// </remarks>
internal sealed class ForecastCombination
{
    /// <summary>Outcomes per horizon before the weights follow the errors.</summary>
    public const int MinimumOutcomes = 12;

    // The longest day a saved state may claim: the validator allows 1,440 steps; more is a damaged file.
    private const int MaxDaySteps = 1 << 16;

    private const int Mixes = MixGrid.Count;

    private const int MixStride = CombinationBlock.MixStride;

    // The LSTM's weight in each mix and the other member's, lane by lane: taken as they are computed, not
    // recomputed (a division each) per mix and outcome.
    private static readonly double[] LstmWeights = [.. Enumerable.Range(0, MixStride).Select(k => k < Mixes ? MixGrid.Weight(k) : 0.5)];
    private static readonly double[] OtherWeights = [.. LstmWeights.Select(w => 1 - w)];

    // The judging state is row _row of _block: a block of its own, or a row of a target's (CombinationRows).
    private CombinationBlock _block;
    private int _row;
    private WaitingForecasts<CombinationBlock.Members> _waiting;

    /// <param name="daySteps">Steps in a day: the errors are weighted over about a day of outcomes.</param>
    public ForecastCombination(IReadOnlyList<int> horizonSteps, int daySteps)
        : this(new CombinationBlock(WaitingSchedule.For(horizonSteps), daySteps, rows: 1), row: 0)
    {
    }

    /// <summary>A fresh combination for series <paramref name="id"/>, in its row of the target's <paramref name="rows"/>.</summary>
    public ForecastCombination(CombinationRows rows, int id)
        : this(rows.BlockOf(id, out int row), row)
    {
        _block.Reset(_row);
    }

    private ForecastCombination(CombinationBlock block, int row)
    {
        (_block, _row) = (block, row);
        _waiting = block.Waiting.Row(row);
    }

    /// <summary>
    /// Moves this combination's judging into series <paramref name="id"/>'s row of <paramref name="rows"/> (a
    /// combination restored for that series), whatever an earlier combination of that id left there.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="rows"/> are for other horizons or another day.</exception>
    public void MoveTo(CombinationRows rows, int id)
    {
        CombinationBlock block = rows.BlockOf(id, out int row);
        if (ReferenceEquals(block, _block) && row == _row)
            return;
        _block.CopyRow(_row, block, row);
        (_block, _row) = (block, row);
        _waiting = block.Waiting.Row(row);
    }

    /// <summary>The fitted Holt-Winters in use; null until one is handed in.</summary>
    public HoltWintersModel? Model { get; private set; }

    /// <summary>The newest step <see cref="Model"/> has taken in.</summary>
    public long ModelStep { get; private set; } = long.MinValue;

    /// <summary>The newest step of the history <see cref="Model"/> was fitted on.</summary>
    public long FittedThrough { get; private set; } = long.MinValue;

    /// <summary>Takes a model fitted on the history up to <paramref name="fittedThrough"/>; later steps go in through <see cref="Feed"/>.</summary>
    public void Adopt(HoltWintersModel model, long fittedThrough)
    {
        Model = model;
        ModelStep = FittedThrough = fittedThrough;
    }

    /// <summary>Forgets the model (it fell too far behind to catch up); the LSTM forecasts alone until the next fit.</summary>
    public void DropModel()
    {
        Model = null;
        ModelStep = FittedThrough = long.MinValue;
    }

    /// <summary>
    /// Feeds the model the values of the steps after <see cref="ModelStep"/> up to <paramref name="step"/>,
    /// oldest first (NaN for a gap), so its forecasts start from the newest step.
    /// </summary>
    public void Feed(long step, ReadOnlySpan<float> values)
    {
        if (Model is null || step <= ModelStep)
            return;
        foreach (float value in values)
            Model.Observe(value);
        ModelStep = step;
    }

    /// <summary>Judges both members' forecasts for <paramref name="step"/> against its outcome.</summary>
    public void Observe(long step, float actual)
    {
        for (int h = 0; h < _block.Schedule.Horizons; h++)
            Observe(h, step, actual);
    }

    /// <summary>
    /// Judges horizon <paramref name="horizon"/>'s forecasts for <paramref name="step"/> against its outcome.
    /// Each horizon's judging is its own (errors, outcomes, weight, waiting forecasts): a step may judge a
    /// horizon for all its series before the next horizon.
    /// </summary>
    public void Observe(int horizon, long step, float actual)
    {
        if (float.IsNaN(actual) || !_waiting.TryTake(horizon, step, out CombinationBlock.Members members))
            return;
        CombinationBlock block = _block;
        int at = horizon * block.Rows + _row;
        ref CombinationBlock.Judging judging = ref block.Judgings[at];
        int outcomes = ++judging.Outcomes;
        // A running mean at first, then an average over about a day of this horizon's outcomes: the larger
        // of the two weights (DayOutcomes spares the division once the day's is).
        double alpha = outcomes >= block.DayOutcomes[horizon] ? block.DayAlpha[horizon] : 1.0 / outcomes;
        Span<double> errors = judging.Errors;
        JudgeMixes(errors, actual, members.Lstm, members.Other, alpha);
        // The best mix's weight from the table of them: MixGrid.Weight's values, without its division.
        block.Weights[at] = outcomes < MinimumOutcomes ? CombinationBlock.EqualWeight : LstmWeights[MixGrid.Best(errors)];
    }

    // Every mix's error moved towards its error on this outcome, four mixes at a time:
    // error += alpha * (|actual - (w * lstm + (1 - w) * other)| - error), in the scalar order, lane by lane.
    private static void JudgeMixes(Span<double> errors, float actual, float lstm, float other, double alpha)
    {
        Vector256<double> outcome = Vector256.Create((double)actual), lstmForecast = Vector256.Create((double)lstm);
        Vector256<double> otherForecast = Vector256.Create((double)other), rate = Vector256.Create(alpha);
        ref double error = ref MemoryMarshal.GetReference(errors);
        ref double lstmWeight = ref MemoryMarshal.GetArrayDataReference(LstmWeights);
        ref double otherWeight = ref MemoryMarshal.GetArrayDataReference(OtherWeights);
        for (nuint k = 0; k < MixStride; k += 4)
        {
            Vector256<double> mixed = Vector256.LoadUnsafe(ref lstmWeight, k) * lstmForecast + Vector256.LoadUnsafe(ref otherWeight, k) * otherForecast;
            Vector256<double> was = Vector256.LoadUnsafe(ref error, k);
            (was + rate * (Vector256.Abs(outcome - mixed) - was)).StoreUnsafe(ref error, k);
        }
    }

    /// <summary>
    /// The combined median of horizon <paramref name="horizon"/> for the forecast made at <paramref name="step"/>;
    /// <paramref name="lstmMedian"/> alone while there is no model (or it has not reached <paramref name="step"/>).
    /// </summary>
    public float Combine(int horizon, long step, float lstmMedian)
    {
        if (Model is null || ModelStep != step || !float.IsFinite(lstmMedian))
            return lstmMedian;
        float other = (float)Model.Forecast(_waiting.Schedule.StepsOf(horizon));
        if (!float.IsFinite(other))
            return lstmMedian;
        _waiting.TryRecord(horizon, step, new CombinationBlock.Members(lstmMedian, other));
        double lstmWeight = LstmWeight(horizon);
        return (float)(lstmWeight * lstmMedian + (1 - lstmWeight) * other);
    }

    /// <summary>The LSTM's share of horizon <paramref name="horizon"/>'s combined forecast now, in [0, 1].</summary>
    public double LstmWeight(int horizon) => _block.Weights[horizon * _block.Rows + _row];

    /// <summary>Whether this state was made for these horizons and day, so it can carry over (a restart, a reload).</summary>
    public bool Fits(IReadOnlyList<int> horizonSteps, int daySteps) => _block.Schedule.Fits(horizonSteps) && Math.Max(1, daySteps) == _block.DaySteps;

    /// <summary>A copy that goes on independently of this one (for a snapshot taken while scoring goes on), standing alone.</summary>
    public ForecastCombination Clone()
    {
        var copy = new ForecastCombination(new CombinationBlock(_block.Schedule, _block.DaySteps, rows: 1), row: 0) { Model = Model?.Clone(), ModelStep = ModelStep, FittedThrough = FittedThrough };
        _block.CopyRow(_row, copy._block, 0);
        return copy;
    }

    /// <summary>Writes the horizons and day it was made for, the mixes' errors, the waiting forecasts and the model.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        _block.Schedule.WriteHorizons(writer);
        writer.Write(_block.DaySteps);
        for (int h = 0; h < _block.Schedule.Horizons; h++)
        {
            CombinationBlock.Judging judging = _block.Judgings[h * _block.Rows + _row];
            for (int k = 0; k < Mixes; k++)
                writer.Write(judging.Errors[k]);
            writer.Write(judging.Outcomes);
        }
        _waiting.WriteSteps(writer);
        for (int slot = 0; slot < _block.Schedule.Slots; slot++)
        {
            CombinationBlock.Members members = _waiting.PayloadAt(slot);
            writer.Write(members.Lstm);
            writer.Write(members.Other);
        }
        writer.Write(Model is not null);
        if (Model is not null)
        {
            writer.Write(FittedThrough);
            writer.Write(ModelStep);
            Model.WriteTo(writer);
        }
    }

    /// <param name="memberErrors">
    /// A state from before the mixes, which kept each member's error instead: its model and waiting forecasts
    /// carry over, and its weights start again from one half.
    /// </param>
    /// <param name="seasonAsDoubles">A state from before the fitted model's season was kept in 16 bits (<see cref="HoltWintersModel.ReadFrom"/>).</param>
    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static ForecastCombination ReadFrom(BinaryReader reader, bool memberErrors = false, bool seasonAsDoubles = false)
    {
        WaitingSchedule schedule = WaitingSchedule.ReadHorizons(reader, "forecast combination");
        int count = schedule.Horizons;
        int daySteps = reader.ReadInt32();
        if (daySteps < 1 || daySteps > MaxDaySteps)
            throw new InvalidDataException($"forecast combination day of {daySteps} steps");
        var combination = new ForecastCombination(new CombinationBlock(schedule, daySteps, rows: 1), row: 0);
        CombinationBlock block = combination._block;
        for (int h = 0; h < count; h++)
        {
            ref CombinationBlock.Judging judging = ref block.Judgings[h];
            int stored = memberErrors ? 2 : Mixes;
            for (int k = 0; k < stored; k++)
            {
                double error = reader.ReadDouble();
                if (!(error >= 0))
                    throw new InvalidDataException($"forecast combination errors include {error}");
                if (!memberErrors)
                    judging.Errors[k] = error;
            }
            int outcomes = reader.ReadInt32();
            if (outcomes < 0)
                throw new InvalidDataException($"forecast combination over {outcomes} outcomes");
            judging.Outcomes = memberErrors ? 0 : outcomes;
            if (judging.Outcomes >= MinimumOutcomes)
                block.Weights[h] = MixGrid.Weight(MixGrid.Best(judging.Errors));
        }
        combination._waiting.ReadSteps(reader);
        for (int slot = 0; slot < schedule.Slots; slot++)
            combination._waiting.PayloadAt(slot) = new CombinationBlock.Members(reader.ReadSingle(), reader.ReadSingle());
        if (reader.ReadBoolean())
        {
            long fittedThrough = reader.ReadInt64(), modelStep = reader.ReadInt64();
            if (modelStep < fittedThrough)
                throw new InvalidDataException($"forecast combination model at step {modelStep}, before the step {fittedThrough} it was fitted through");
            combination.Adopt(HoltWintersModel.ReadFrom(reader, daySteps, seasonAsDoubles), fittedThrough);
            combination.ModelStep = modelStep;
        }
        return combination;
    }
}
