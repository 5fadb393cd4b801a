using System.Buffers;

namespace Sidecar.Model.Baselines;

/// <summary>
/// Additive Holt-Winters with a daily season: a level, a trend and one offset per step of the season,
/// each exponentially smoothed; the forecast for h steps ahead is level + h·trend + the offset of that
/// step's phase. The smoothing weights are chosen per call by <see cref="HoltWintersGrid"/>.
/// </summary>
/// <remarks>
/// Needs two full seasons. The first two initialise the state: the trend is the change between the two
/// seasons' means per step, each season offset is the average (over both seasons) of the observation
/// minus that trend line, and the level starts at the trend line's value at the end of the first
/// season. Updates then run from the second season on, which is also where the one-step error that
/// ranks the grid is counted. A gap is not an observation: the state advances by its own prediction
/// (level += trend) and the season offset keeps its value.
/// </remarks>
internal sealed class HoltWintersForecaster : IBaselineForecaster
{
    public const string ModelName = "holt_winters";

    private readonly int _seasonSteps;
    private readonly HoltWintersGrid _grid;

    /// <param name="seasonSteps">Steps per season, e.g. 288 for a day of 5-minute steps; at least 2.</param>
    /// <param name="grid">The weights to try; <see cref="HoltWintersGrid.Default"/> when null.</param>
    public HoltWintersForecaster(int seasonSteps, HoltWintersGrid? grid = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seasonSteps, 2);
        _grid = grid ?? HoltWintersGrid.Default;
        if (_grid.Combinations == 0)
            throw new ArgumentException("holt_winters: the parameter grid is empty", nameof(grid));
        _seasonSteps = seasonSteps;
    }

    public string Name => ModelName;

    public bool TryForecast(ReadOnlySpan<float> history, ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        ForecastArguments.Check(horizonSteps, forecasts);
        int m = _seasonSteps;
        if (history.Length < 2 * m)
            return ForecastArguments.Refuse(forecasts);
        // Rented, not allocated: the initial offsets, then the offsets one run updates.
        double[] rented = ArrayPool<double>.Shared.Rent(2 * m);
        try
        {
            Span<double> initialSeason = rented.AsSpan(0, m);
            Span<double> season = rented.AsSpan(m, m);
            if (!TryInitialise(history, initialSeason, out var initial))
                return ForecastArguments.Refuse(forecasts);
            var best = FindBestWeights(history, initial, initialSeason, season);
            initialSeason.CopyTo(season);
            var state = initial;
            Smooth(history, best, season, ref state);
            int last = history.Length - 1;
            for (int i = 0; i < horizonSteps.Length; i++)
            {
                int horizon = horizonSteps[i];
                forecasts[i] = (float)(state.Level + horizon * state.Trend + season[(int)(((long)last + horizon) % m)]);
            }
            return true;
        }
        finally
        {
            ArrayPool<double>.Shared.Return(rented);
        }
    }

    private Weights FindBestWeights(ReadOnlySpan<float> history, State initial, ReadOnlySpan<double> initialSeason, Span<double> season)
    {
        var best = new Weights(_grid.Level[0], _grid.Trend[0], _grid.Season[0]);
        double bestError = double.PositiveInfinity;
        foreach (double alpha in _grid.Level)
        {
            foreach (double beta in _grid.Trend)
            {
                foreach (double gamma in _grid.Season)
                {
                    var weights = new Weights(alpha, beta, gamma);
                    initialSeason.CopyTo(season);
                    var state = initial;
                    double error = Smooth(history, weights, season, ref state);
                    if (error < bestError)
                    {
                        bestError = error;
                        best = weights;
                    }
                }
            }
        }
        return best;
    }

    /// <returns>The sum of squared one-step errors over the observed steps from the second season on.</returns>
    private double Smooth(ReadOnlySpan<float> history, Weights weights, Span<double> season, ref State state)
    {
        int m = _seasonSteps;
        double level = state.Level, trend = state.Trend, squaredError = 0;
        for (int t = m; t < history.Length; t++)
        {
            double y = history[t];
            int slot = t % m;
            if (double.IsNaN(y))
            {
                level += trend;
                continue;
            }
            double offset = season[slot];
            double error = y - (level + trend + offset);
            squaredError += error * error;
            double newLevel = weights.Level * (y - offset) + (1 - weights.Level) * (level + trend);
            trend = weights.Trend * (newLevel - level) + (1 - weights.Trend) * trend;
            season[slot] = weights.Season * (y - newLevel) + (1 - weights.Season) * offset;
            level = newLevel;
        }
        state = new State(level, trend);
        return squaredError;
    }

    /// <returns>False when either of the first two seasons has no data at all.</returns>
    private bool TryInitialise(ReadOnlySpan<float> history, Span<double> initialSeason, out State initial)
    {
        int m = _seasonSteps;
        initial = default;
        double firstMean = MeanOfObserved(history[..m]);
        double secondMean = MeanOfObserved(history[m..(2 * m)]);
        if (double.IsNaN(firstMean) || double.IsNaN(secondMean))
            return false;
        double trend = (secondMean - firstMean) / m;
        // Each season's mean sits at its middle step; offsets are measured from the trend line through both.
        double middle = (m - 1) / 2.0;
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            int count = 0;
            float first = history[j], second = history[m + j];
            if (!float.IsNaN(first))
            {
                sum += first - (firstMean + (j - middle) * trend);
                count++;
            }
            if (!float.IsNaN(second))
            {
                sum += second - (secondMean + (j - middle) * trend);
                count++;
            }
            initialSeason[j] = count == 0 ? 0 : sum / count;
        }
        initial = new State(firstMean + (m - 1 - middle) * trend, trend);
        return true;
    }

    private static double MeanOfObserved(ReadOnlySpan<float> values)
    {
        double sum = 0;
        int count = 0;
        foreach (float value in values)
        {
            if (float.IsNaN(value))
                continue;
            sum += value;
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    private readonly record struct Weights(double Level, double Trend, double Season);

    private readonly record struct State(double Level, double Trend);
}
