namespace Sidecar.Model;

/// <summary>
/// A per-series, per-horizon combination of several forecasters, each weighted by the inverse of its mean
/// absolute error over its most recent outcomes on this series. A forecaster that has been doing well on
/// this series lately counts for more; one that went wrong fades within a window.
/// </summary>
/// <remarks>
/// Inverse-error weighting over a trailing window is the classical, robust choice (Bates and Granger's
/// combination with the covariances dropped): it needs no fitting, can't overfit a short history, and
/// falls back to the plain average while the window fills. Only outcomes that every member forecast are
/// counted, so the members are judged on the same steps.
/// </remarks>
internal sealed class OnlineCombination : IForecastCombination
{
    private readonly int _members;
    private readonly int _window;
    private readonly int _minimumOutcomes;
    private readonly bool _squared;
    // Per horizon: a ring of the latest absolute errors of each member, [outcome * members + member].
    private readonly float[][] _errors;
    private readonly double[][] _sums;
    private readonly int[] _next;
    private readonly int[] _count;

    /// <param name="members">How many forecasters are combined.</param>
    /// <param name="horizons">How many horizons each series forecasts.</param>
    /// <param name="window">How many of the latest outcomes per horizon judge the members.</param>
    /// <param name="minimumOutcomes">Below this many outcomes the members are averaged with equal weights.</param>
    /// <param name="squared">Weight by the inverse mean squared error (Bates and Granger's variances) instead of the absolute one.</param>
    public OnlineCombination(int members, int horizons, int window, int minimumOutcomes, bool squared = false)
    {
        _squared = squared;
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        _members = members;
        _window = window;
        _minimumOutcomes = Math.Clamp(minimumOutcomes, 1, window);
        _errors = new float[horizons][];
        _sums = new double[horizons][];
        _next = new int[horizons];
        _count = new int[horizons];
        for (int h = 0; h < horizons; h++)
        {
            _errors[h] = new float[window * members];
            _sums[h] = new double[members];
        }
    }

    /// <summary>Records an outcome for <paramref name="horizon"/> against what each member had forecast for it.</summary>
    /// <returns>False, and nothing recorded, when a member had no forecast or the outcome is a gap.</returns>
    public bool Observe(int horizon, ReadOnlySpan<float> forecasts, float actual)
    {
        if (float.IsNaN(actual) || forecasts.Length != _members)
            return false;
        foreach (float f in forecasts)
        {
            if (!float.IsFinite(f))
                return false;
        }
        float[] ring = _errors[horizon];
        double[] sums = _sums[horizon];
        int slot = _next[horizon] * _members;
        bool full = _count[horizon] == _window;
        for (int m = 0; m < _members; m++)
        {
            float error = Math.Abs(forecasts[m] - actual);
            if (_squared)
                error *= error;
            if (full)
                sums[m] -= ring[slot + m];
            ring[slot + m] = error;
            sums[m] += error;
        }
        _next[horizon] = (_next[horizon] + 1) % _window;
        if (!full)
            _count[horizon]++;
        return true;
    }

    /// <summary>The combined forecast for <paramref name="horizon"/>, or NaN when any member has none.</summary>
    public float Combine(int horizon, ReadOnlySpan<float> forecasts)
    {
        if (forecasts.Length != _members)
            return float.NaN;
        foreach (float f in forecasts)
        {
            if (!float.IsFinite(f))
                return float.NaN;
        }
        int count = _count[horizon];
        double weighted = 0, total = 0;
        for (int m = 0; m < _members; m++)
        {
            double weight = count < _minimumOutcomes ? 1 : 1 / Math.Max(_sums[horizon][m] / count, 1e-12);
            weighted += weight * forecasts[m];
            total += weight;
        }
        return (float)(weighted / total);
    }

    /// <summary>
    /// Each member's summed error over the window at <paramref name="horizon"/>; false, and nothing to judge
    /// by, until <c>minimumOutcomes</c> outcomes are in.
    /// </summary>
    public bool TryGetErrorSums(int horizon, out ReadOnlySpan<double> sums)
    {
        sums = _sums[horizon];
        return _count[horizon] >= _minimumOutcomes;
    }

    /// <summary>The weight each member gets now at <paramref name="horizon"/>, summing to 1.</summary>
    public double[] Weights(int horizon)
    {
        var weights = new double[_members];
        int count = _count[horizon];
        for (int m = 0; m < _members; m++)
            weights[m] = count < _minimumOutcomes ? 1 : 1 / Math.Max(_sums[horizon][m] / count, 1e-12);
        double total = weights.Sum();
        for (int m = 0; m < _members; m++)
            weights[m] /= total;
        return weights;
    }
}
