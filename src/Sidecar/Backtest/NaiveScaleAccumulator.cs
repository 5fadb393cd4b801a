namespace Sidecar.Backtest;

/// <summary>
/// The denominator of MASE for one series: the in-sample mean absolute error of the daily seasonal naive
/// forecast (y_t predicted by y_{t−m}) over the training history, fed one step at a time.
/// </summary>
/// <remarks>
/// A history without a single pair a season apart (shorter than a season plus one step, or with gaps at
/// every such pair) has no seasonal scale; the one-step naive forecast (y_t predicted by y_{t−1}) is
/// used instead, and <see cref="IsSeasonal"/> says which one <see cref="Scale"/> is. Pairs with a gap
/// on either side are skipped.
/// </remarks>
internal sealed class NaiveScaleAccumulator
{
    // The last season of training values, indexed by step modulo the season.
    private readonly float[] _lastSeason;
    private long _steps;
    private double _seasonalErrorSum;
    private long _seasonalPairs;
    private double _oneStepErrorSum;
    private long _oneStepPairs;

    /// <param name="seasonSteps">Steps per season, e.g. 288 for a day of 5-minute steps.</param>
    public NaiveScaleAccumulator(int seasonSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonSteps, 1);
        _lastSeason = new float[seasonSteps];
    }

    /// <summary>Appends the next step of the training history (NaN for a gap).</summary>
    public void Observe(float value)
    {
        int season = _lastSeason.Length;
        int slot = (int)(_steps % season);
        if (_steps >= 1)
            AddPair(value, _lastSeason[(int)((_steps - 1) % season)], ref _oneStepErrorSum, ref _oneStepPairs);
        if (_steps >= season)
            AddPair(value, _lastSeason[slot], ref _seasonalErrorSum, ref _seasonalPairs);
        _lastSeason[slot] = value;
        _steps++;
    }

    /// <summary>Appends consecutive steps of the training history, oldest first.</summary>
    public void Observe(ReadOnlySpan<float> values)
    {
        foreach (float value in values)
            Observe(value);
    }

    /// <summary>True when <see cref="Scale"/> comes from the seasonal naive forecast.</summary>
    public bool IsSeasonal => _seasonalPairs > 0;

    /// <summary>The naive forecast's in-sample MAE; NaN while not even one one-step pair exists.</summary>
    public double Scale => IsSeasonal
        ? _seasonalErrorSum / _seasonalPairs
        : _oneStepPairs > 0 ? _oneStepErrorSum / _oneStepPairs : double.NaN;

    private static void AddPair(float value, float naive, ref double errorSum, ref long pairs)
    {
        if (float.IsNaN(value) || float.IsNaN(naive))
            return;
        errorSum += Math.Abs((double)value - naive);
        pairs++;
    }
}
