namespace Sidecar.Model.Baselines;

/// <summary>
/// A fitted additive Holt-Winters model (<see cref="HoltWintersFit"/>) that goes on filtering: between refits
/// each new step updates level, trend and that phase's offset with the fitted weights, as a forecaster
/// refitting daily would run it. Forecast h steps ahead: level + h·trend + the offset of that step's phase.
/// </summary>
internal sealed class HoltWintersModel(double alpha, double beta, double gamma, double level, double trend, double[] season, int nextPhase, double sse)
{
    private double _level = level;
    private double _trend = trend;
    private int _nextPhase = nextPhase;

    public double Alpha { get; } = alpha;

    public double Beta { get; } = beta;

    public double Gamma { get; } = gamma;

    /// <summary>The in-sample sum of squared one-step errors the fit reached, in the series' units squared.</summary>
    public double SumOfSquaredErrors { get; } = sse;

    /// <summary>Takes the next step's value (NaN for a gap).</summary>
    public void Observe(double value)
    {
        int k = _nextPhase;
        _nextPhase = (k + 1) % season.Length;
        if (double.IsNaN(value))
        {
            _level += _trend;
            return;
        }
        double offset = season[k];
        double next = Alpha * (value - offset) + (1 - Alpha) * (_level + _trend);
        _trend = Beta * (next - _level) + (1 - Beta) * _trend;
        season[k] = Gamma * (value - next) + (1 - Gamma) * offset;
        _level = next;
    }

    /// <summary>The forecast <paramref name="steps"/> (at least 1) after the last observed step.</summary>
    public double Forecast(int steps) => _level + steps * _trend + season[(int)((_nextPhase + (long)steps - 1) % season.Length)];
}
