using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;
using MathNet.Numerics.Statistics;

namespace Sidecar.Model.Baselines;

/// <summary>
/// Additive Holt-Winters fitted the way forecasting practitioners fit it (statsmodels'
/// <c>ExponentialSmoothing(trend="add", seasonal="add").fit()</c>, R's <c>ets</c>): the smoothing weights
/// α, β, γ and the initial level, trend and every seasonal offset are chosen together, by minimising the
/// in-sample sum of squared one-step errors. The grid of <see cref="HoltWintersGrid"/> is cheap enough to
/// run at every step as a fallback; this is the strong baseline a backtest compares against.
/// </summary>
/// <remarks>
/// The optimiser is MathNet's L-BFGS. The weights are searched as logits, so they stay inside (0, 1)
/// without bounds; the states in units of the series' spread, so one step size suits them all. The
/// gradient is exact, by reverse accumulation through the recursion: one forward and one backward pass
/// per evaluation, whatever the season's length (a finite-difference gradient would cost a pass per parameter).
/// The start is the classic one (states from the first two seasons, α 0.2, β 0.01, γ 0.1).
/// A gap is not an observation: level and trend advance by the trend, and the offset keeps its value.
/// </remarks>
internal static class HoltWintersFit
{
    private const int Weights = 3;

    /// <summary>
    /// L-BFGS iterations of the baseline fit. On 14 days at 1-minute steps every fit of <c>bench training</c>
    /// still reached this cap, with the sum of squared errors within 0.1 % of where 100 iterations leave it.
    /// </summary>
    public const int ConvergedIterations = 500;

    /// <summary>Fits a model to <paramref name="history"/> (gaps as NaN), which needs two seasons with data in each.</summary>
    /// <param name="iterations">
    /// The optimiser's iteration cap: <see cref="ConvergedIterations"/> for the baseline a backtest compares
    /// against; fewer where the fit's cost matters more than its last digits (<c>model.combine</c>).
    /// </param>
    /// <returns>Null when the history is too short or a season is empty.</returns>
    public static HoltWintersModel? Fit(ReadOnlySpan<float> history, int seasonSteps, int iterations = ConvergedIterations)
    {
        int m = seasonSteps, n = history.Length;
        if (m < 2 || n < 2 * m)
            return null;
        var (center, scale) = Standardisation(history);
        var y = new double[n];
        for (int t = 0; t < n; t++)
            y[t] = (history[t] - center) / scale;
        if (!TryStart(y, m, out double[] start))
            return null;

        var problem = new Recursion(y, m);
        var objective = ObjectiveFunction.Gradient(x =>
        {
            var gradient = Vector<double>.Build.Dense(x.Count);
            double sse = problem.Evaluate(x.AsArray() ?? x.ToArray(), gradient.AsArray()!);
            return (sse, gradient);
        });
        double[] best = start;
        try
        {
            var result = new LimitedMemoryBfgsMinimizer(1e-8, 1e-10, 1e-12, 10, iterations)
                .FindMinimum(objective, Vector<double>.Build.DenseOfArray(start));
            double[] found = result.MinimizingPoint.ToArray();
            if (problem.Evaluate(found, null) <= problem.Evaluate(start, null))
                best = found;
        }
        catch (Exception e) when (e is MaximumIterationsException or OptimizationException or ArithmeticException)
        {
            // The line search gave up: keep the start, which is the classic initialisation, not a failure.
        }
        return problem.ModelAt(best, center, scale);
    }

    private static (double Center, double Scale) Standardisation(ReadOnlySpan<float> history)
    {
        double sum = 0, squares = 0;
        int count = 0;
        foreach (float v in history)
        {
            if (float.IsNaN(v))
                continue;
            sum += v;
            squares += (double)v * v;
            count++;
        }
        double mean = count == 0 ? 0 : sum / count;
        double variance = count == 0 ? 0 : Math.Max(0, squares / count - mean * mean);
        return (mean, variance > 0 ? Math.Sqrt(variance) : 1);
    }

    // The first two seasons set level, trend and offsets; the weights start at the classic values.
    private static bool TryStart(double[] y, int m, out double[] start)
    {
        start = new double[Weights + 2 + m];
        double first = MeanOf(y.AsSpan(0, m)), second = MeanOf(y.AsSpan(m, m));
        if (double.IsNaN(first) || double.IsNaN(second))
            return false;
        double trend = (second - first) / m, middle = (m - 1) / 2.0;
        start[0] = Logit(0.2);
        start[1] = Logit(0.01);
        start[2] = Logit(0.1);
        // The states before the first observation: the trend line one step before step 0.
        start[3] = first - (middle + 1) * trend;
        start[4] = trend;
        for (int j = 0; j < m; j++)
        {
            double sum = 0;
            int count = 0;
            if (!double.IsNaN(y[j]))
            {
                sum += y[j] - (first + (j - middle) * trend);
                count++;
            }
            if (!double.IsNaN(y[m + j]))
            {
                sum += y[m + j] - (second + (j - middle) * trend);
                count++;
            }
            start[Weights + 2 + j] = count == 0 ? 0 : sum / count;
        }
        return true;
    }

    // The mean of the observed values (MathNet's, NaN when there are none); a cold path, once per fit.
    private static double MeanOf(ReadOnlySpan<double> values) => values.ToArray().Where(v => !double.IsNaN(v)).Mean();

    private static double Logit(double p) => Math.Log(p / (1 - p));

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>The one-step recursion over a standardised history, with its exact gradient.</summary>
    internal sealed class Recursion(double[] y, int m)
    {
        // The states before each step, kept by the forward pass for the backward one.
        private readonly double[] _level = new double[y.Length];
        private readonly double[] _trend = new double[y.Length];
        private readonly double[] _offset = new double[y.Length];
        private readonly double[] _season = new double[m];
        private readonly double[] _seasonAdjoint = new double[m];

        /// <summary>The sum of squared one-step errors at <paramref name="x"/>; fills <paramref name="gradient"/> when given.</summary>
        public double Evaluate(double[] x, double[]? gradient)
        {
            double alpha = Sigmoid(x[0]), beta = Sigmoid(x[1]), gamma = Sigmoid(x[2]);
            double level = x[3], trend = x[4], sse = 0;
            Array.Copy(x, Weights + 2, _season, 0, m);
            for (int t = 0; t < y.Length; t++)
            {
                int k = t % m;
                _level[t] = level;
                _trend[t] = trend;
                _offset[t] = _season[k];
                if (double.IsNaN(y[t]))
                {
                    level += trend;
                    continue;
                }
                double offset = _season[k], error = y[t] - (level + trend + offset);
                sse += error * error;
                double next = alpha * (y[t] - offset) + (1 - alpha) * (level + trend);
                trend = beta * (next - level) + (1 - beta) * trend;
                _season[k] = gamma * (y[t] - next) + (1 - gamma) * offset;
                level = next;
            }
            if (gradient is not null)
                Backward(alpha, beta, gamma, gradient);
            return sse;
        }

        // Reverse accumulation: the adjoints of the states after each step give those before it.
        private void Backward(double alpha, double beta, double gamma, double[] gradient)
        {
            double levelAdjoint = 0, trendAdjoint = 0, alphaAdjoint = 0, betaAdjoint = 0, gammaAdjoint = 0;
            Array.Clear(_seasonAdjoint);
            for (int t = y.Length - 1; t >= 0; t--)
            {
                int k = t % m;
                double level = _level[t], trend = _trend[t], offset = _offset[t];
                if (double.IsNaN(y[t]))
                {
                    // level' = level + trend; trend' = trend.
                    trendAdjoint += levelAdjoint;
                    continue;
                }
                double error = y[t] - (level + trend + offset);
                double next = alpha * (y[t] - offset) + (1 - alpha) * (level + trend);
                double seasonAdjoint = _seasonAdjoint[k];
                // The new level feeds the next level directly, the new trend, and the new offset.
                double nextAdjoint = levelAdjoint + beta * trendAdjoint - gamma * seasonAdjoint;
                alphaAdjoint += nextAdjoint * (y[t] - offset - level - trend);
                betaAdjoint += trendAdjoint * (next - level - trend);
                gammaAdjoint += seasonAdjoint * (y[t] - next - offset);
                double newLevelAdjoint = nextAdjoint * (1 - alpha) - beta * trendAdjoint - 2 * error;
                double newTrendAdjoint = nextAdjoint * (1 - alpha) + (1 - beta) * trendAdjoint - 2 * error;
                _seasonAdjoint[k] = -alpha * nextAdjoint + (1 - gamma) * seasonAdjoint - 2 * error;
                levelAdjoint = newLevelAdjoint;
                trendAdjoint = newTrendAdjoint;
            }
            gradient[0] = alphaAdjoint * alpha * (1 - alpha);
            gradient[1] = betaAdjoint * beta * (1 - beta);
            gradient[2] = gammaAdjoint * gamma * (1 - gamma);
            gradient[3] = levelAdjoint;
            gradient[4] = trendAdjoint;
            Array.Copy(_seasonAdjoint, 0, gradient, Weights + 2, m);
        }

        /// <summary>The fitted model, its state run through the whole history, in the series' own units.</summary>
        public HoltWintersModel ModelAt(double[] x, double center, double scale)
        {
            double sse = Evaluate(x, null);
            int n = y.Length;
            // The state after the last step: rerun that step's update from the kept pre-step state.
            double alpha = Sigmoid(x[0]), beta = Sigmoid(x[1]), gamma = Sigmoid(x[2]);
            double level = _level[n - 1], trend = _trend[n - 1];
            var season = (double[])_season.Clone();
            double last = y[n - 1];
            if (double.IsNaN(last))
            {
                level += trend;
            }
            else
            {
                double offset = _offset[n - 1];
                double next = alpha * (last - offset) + (1 - alpha) * (level + trend);
                trend = beta * (next - level) + (1 - beta) * trend;
                level = next;
            }
            // Back to the series' units: offsets and trend scale, the level also shifts.
            for (int j = 0; j < m; j++)
                season[j] *= scale;
            return new HoltWintersModel(alpha, beta, gamma, level * scale + center, trend * scale, season, n % m, sse * scale * scale);
        }
    }
}
