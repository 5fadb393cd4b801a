namespace Sidecar.Score;

/// <summary>
/// Online forecast quality of one target, from realised values: per horizon a rolling MAE, MASE (each
/// error divided by its series' own one-step naive error, so series in different units can be averaged)
/// and interval coverage. Forecasts wait in per-series rings until their outcome arrives; to keep memory
/// bounded on big targets only a sample of series is followed (<see cref="Follows"/>).
/// Touched by the inference loop only.
/// </summary>
internal sealed class ForecastQuality(IReadOnlyList<int> horizonSteps, int sampledSeries)
{
    // Outcomes in the rolling window: the EWMAs weigh the last ~this many outcomes per horizon.
    private const double WindowOutcomes = 2000;
    private const double Alpha = 2 / (WindowOutcomes + 1);

    private readonly Dictionary<int, Ledger> _ledgers = [];
    private readonly Rolling[] _absolute = new Rolling[horizonSteps.Count];
    private readonly Rolling[] _scaled = new Rolling[horizonSteps.Count];
    private readonly Rolling[] _covered = new Rolling[horizonSteps.Count];

    /// <summary>Whether the series is one of those followed: the first <c>sampledSeries</c> ids of the target.</summary>
    public bool Follows(int seriesId) => seriesId < sampledSeries;

    /// <summary>NaN until the first outcome.</summary>
    public double MeanAbsoluteError(int horizon) => _absolute[horizon].Mean;

    public double MeanAbsoluteScaledError(int horizon) => _scaled[horizon].Mean;

    /// <summary>Share of outcomes inside the forecast interval; NaN without intervals.</summary>
    public double Coverage(int horizon) => _covered[horizon].Mean;

    public long Outcomes(int horizon) => _absolute[horizon].Count;

    /// <summary>Remembers the forecast made at <paramref name="step"/>: per horizon lower, median, upper (NaN edges: no interval).</summary>
    public void Record(int seriesId, long step, ReadOnlySpan<float> forecast)
    {
        if (!Follows(seriesId))
            return;
        if (!_ledgers.TryGetValue(seriesId, out var ledger))
            _ledgers[seriesId] = ledger = new Ledger(horizonSteps);
        for (int h = 0; h < horizonSteps.Count; h++)
            ledger.Put(h, step + horizonSteps[h], forecast[h * 3], forecast[h * 3 + 1], forecast[h * 3 + 2]);
    }

    /// <summary>Drops what was remembered under a series id: the series was forgotten, and a new one may take the id.</summary>
    public void Forget(int seriesId) => _ledgers.Remove(seriesId);

    /// <summary>Scores every remembered forecast for <paramref name="step"/> against <paramref name="actual"/>.</summary>
    public void Observe(int seriesId, long step, float actual)
    {
        // Most series are not followed: they are told apart by their id, without a lookup.
        if (float.IsNaN(actual) || !Follows(seriesId) || !_ledgers.TryGetValue(seriesId, out var ledger))
            return;
        double naive = ledger.ObserveNaive(step, actual);
        for (int h = 0; h < horizonSteps.Count; h++)
        {
            if (!ledger.TryTake(h, step, out float lower, out float median, out float upper))
                continue;
            double error = Math.Abs(actual - median);
            _absolute[h].Add(error);
            if (naive > 0)
                _scaled[h].Add(error / naive);
            if (!float.IsNaN(lower))
                _covered[h].Add(actual >= lower && actual <= upper ? 1 : 0);
        }
    }

    /// <summary>An EWMA that is NaN until its first value and an exact mean until the window fills.</summary>
    private struct Rolling
    {
        public double Value;
        public long Count;

        public readonly double Mean => Count == 0 ? double.NaN : Value;

        public void Add(double x)
        {
            Count++;
            Value = Count == 1 ? x : Value + Math.Max(Alpha, 1.0 / Count) * (x - Value);
        }
    }

    /// <summary>One series' forecasts waiting for their outcome, a ring per horizon, and its naive error.</summary>
    private sealed class Ledger
    {
        private readonly long[][] _targetSteps;
        private readonly float[][] _values;
        private float _previous = float.NaN;
        private long _previousStep = long.MinValue;
        private Rolling _naive;

        public Ledger(IReadOnlyList<int> horizonSteps)
        {
            _targetSteps = [.. horizonSteps.Select(h => Enumerable.Repeat(long.MinValue, h + 1).ToArray())];
            _values = [.. horizonSteps.Select(h => new float[(h + 1) * 3])];
        }

        public void Put(int horizon, long targetStep, float lower, float median, float upper)
        {
            int slot = Slot(horizon, targetStep);
            _targetSteps[horizon][slot] = targetStep;
            _values[horizon][slot * 3] = lower;
            _values[horizon][slot * 3 + 1] = median;
            _values[horizon][slot * 3 + 2] = upper;
        }

        public bool TryTake(int horizon, long step, out float lower, out float median, out float upper)
        {
            int slot = Slot(horizon, step);
            lower = _values[horizon][slot * 3];
            median = _values[horizon][slot * 3 + 1];
            upper = _values[horizon][slot * 3 + 2];
            if (_targetSteps[horizon][slot] != step)
                return false;
            _targetSteps[horizon][slot] = long.MinValue;
            return true;
        }

        /// <summary>Folds in the one-step naive error and returns the series' current naive scale.</summary>
        public double ObserveNaive(long step, float actual)
        {
            if (_previousStep == step - 1 && !float.IsNaN(_previous))
                _naive.Add(Math.Abs(actual - _previous));
            _previous = actual;
            _previousStep = step;
            return _naive.Mean;
        }

        private int Slot(int horizon, long step)
        {
            int size = _targetSteps[horizon].Length;
            long slot = step % size;
            return (int)(slot < 0 ? slot + size : slot);
        }
    }
}
