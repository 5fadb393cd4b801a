using Sidecar.Model.Baselines;

namespace Sidecar.Score;

/// <summary>
/// One series' forecast as the LSTM's median combined with a fitted Holt-Winters (<c>model.combine:
/// holt_winters</c>), per horizon: each is weighted by the inverse of its mean absolute error over its
/// recent outcomes on this series, so the one that has been doing better here lately counts for more.
/// Until a horizon has <see cref="MinimumOutcomes"/> outcomes the two count equally; without a fitted
/// model the LSTM's median stands alone.
/// </summary>
/// <remarks>
/// Inverse-error weighting is the classical, robust combination (Bates and Granger's, covariances dropped):
/// nothing to fit, nothing to overfit. The errors are exponentially weighted over about a day of outcomes,
/// which is what a trailing day's mean does without keeping the day. Forecasts wait for their outcome in
/// <see cref="WaitingForecasts"/>; on long horizons only every k-th step's forecast is kept, which changes
/// how often the weights move, not what they settle to.
/// The Holt-Winters model is fitted off the inference loop and handed in (<see cref="Adopt"/>); between
/// fits it is filtered here with every step's value. Touched by the inference loop only.
/// </remarks>
internal sealed class ForecastCombination
{
    /// <summary>Outcomes per horizon before the weights follow the errors.</summary>
    public const int MinimumOutcomes = 12;

    // The longest day a saved state may claim: the validator allows 1,440 steps; more is a damaged file.
    private const int MaxDaySteps = 1 << 16;

    private readonly WaitingForecasts _waiting;
    private readonly int _daySteps;
    private readonly double[] _lstmError;
    private readonly double[] _otherError;
    private readonly int[] _outcomes;
    private readonly float[] _pending; // the LSTM's median and the model's forecast per waiting slot

    /// <param name="daySteps">Steps in a day: the errors are weighted over about a day of outcomes.</param>
    public ForecastCombination(IReadOnlyList<int> horizonSteps, int daySteps)
    {
        _daySteps = Math.Max(1, daySteps);
        _waiting = new WaitingForecasts(horizonSteps);
        _lstmError = new double[horizonSteps.Count];
        _otherError = new double[horizonSteps.Count];
        _outcomes = new int[horizonSteps.Count];
        _pending = new float[_waiting.Slots * 2];
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
        if (float.IsNaN(actual))
            return;
        for (int h = 0; h < _outcomes.Length; h++)
        {
            if (!_waiting.TryTake(h, step, out int slot))
                continue;
            int outcomes = ++_outcomes[h];
            // A running mean at first, then an average over about a day of this horizon's outcomes.
            double alpha = Math.Max(1.0 / outcomes, 2.0 / (OutcomesPerDay(h) + 1));
            _lstmError[h] += alpha * (Math.Abs(actual - _pending[slot * 2]) - _lstmError[h]);
            _otherError[h] += alpha * (Math.Abs(actual - _pending[slot * 2 + 1]) - _otherError[h]);
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
        float other = (float)Model.Forecast(_waiting.HorizonSteps[horizon]);
        if (!float.IsFinite(other))
            return lstmMedian;
        if (_waiting.TryRecord(horizon, step, out int slot))
        {
            _pending[slot * 2] = lstmMedian;
            _pending[slot * 2 + 1] = other;
        }
        double lstmWeight = LstmWeight(horizon);
        return (float)(lstmWeight * lstmMedian + (1 - lstmWeight) * other);
    }

    /// <summary>The LSTM's share of horizon <paramref name="horizon"/>'s combined forecast now, in [0, 1].</summary>
    public double LstmWeight(int horizon)
    {
        if (_outcomes[horizon] < MinimumOutcomes)
            return 0.5;
        double lstm = 1 / Math.Max(_lstmError[horizon], 1e-12), other = 1 / Math.Max(_otherError[horizon], 1e-12);
        return lstm / (lstm + other);
    }

    /// <summary>Whether this state was made for these horizons and day, so it can carry over (a restart, a reload).</summary>
    public bool Fits(IReadOnlyList<int> horizonSteps, int daySteps) => _waiting.Fits(horizonSteps) && Math.Max(1, daySteps) == _daySteps;

    /// <summary>A copy that goes on independently of this one (for a snapshot taken while scoring goes on).</summary>
    public ForecastCombination Clone()
    {
        var copy = new ForecastCombination(_waiting.HorizonSteps, _daySteps) { Model = Model?.Clone(), ModelStep = ModelStep, FittedThrough = FittedThrough };
        _lstmError.CopyTo(copy._lstmError, 0);
        _otherError.CopyTo(copy._otherError, 0);
        _outcomes.CopyTo(copy._outcomes, 0);
        copy._waiting.CopyFrom(_waiting);
        _pending.CopyTo(copy._pending, 0);
        return copy;
    }

    /// <summary>Writes the horizons and day it was made for, the errors, the waiting forecasts and the model.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        _waiting.WriteHorizons(writer);
        writer.Write(_daySteps);
        for (int h = 0; h < _outcomes.Length; h++)
        {
            writer.Write(_lstmError[h]);
            writer.Write(_otherError[h]);
            writer.Write(_outcomes[h]);
        }
        _waiting.WriteSteps(writer);
        foreach (float value in _pending)
            writer.Write(value);
        writer.Write(Model is not null);
        if (Model is not null)
        {
            writer.Write(FittedThrough);
            writer.Write(ModelStep);
            Model.WriteTo(writer);
        }
    }

    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static ForecastCombination ReadFrom(BinaryReader reader)
    {
        int[] horizons = WaitingForecasts.ReadHorizons(reader, "forecast combination");
        int count = horizons.Length;
        int daySteps = reader.ReadInt32();
        if (daySteps < 1 || daySteps > MaxDaySteps)
            throw new InvalidDataException($"forecast combination day of {daySteps} steps");
        var combination = new ForecastCombination(horizons, daySteps);
        for (int h = 0; h < count; h++)
        {
            double lstm = reader.ReadDouble(), other = reader.ReadDouble();
            int outcomes = reader.ReadInt32();
            if (!(lstm >= 0) || !(other >= 0) || outcomes < 0)
                throw new InvalidDataException($"forecast combination errors {lstm}, {other} over {outcomes} outcomes");
            (combination._lstmError[h], combination._otherError[h], combination._outcomes[h]) = (lstm, other, outcomes);
        }
        combination._waiting.ReadSteps(reader);
        for (int i = 0; i < combination._pending.Length; i++)
            combination._pending[i] = reader.ReadSingle();
        if (reader.ReadBoolean())
        {
            long fittedThrough = reader.ReadInt64(), modelStep = reader.ReadInt64();
            if (modelStep < fittedThrough)
                throw new InvalidDataException($"forecast combination model at step {modelStep}, before the step {fittedThrough} it was fitted through");
            combination.Adopt(HoltWintersModel.ReadFrom(reader, daySteps), fittedThrough);
            combination.ModelStep = modelStep;
        }
        return combination;
    }

    private double OutcomesPerDay(int horizon) => Math.Max(1.0, (double)_daySteps / _waiting.Stride(horizon));
}
