using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Backtest;

/// <summary>
/// The fitted Holt-Winters of a replay, run as a forecaster would run it: fitted (<see cref="HoltWintersFit"/>)
/// on the last 14 days at most, once a season (a day) of new steps has come, and filtering every step in
/// between with the fitted weights. It forecasts from two days of history on.
/// </summary>
internal sealed class RefittedHoltWinters(int seasonSteps)
{
    public const string ModelName = "holt_winters_fitted";

    private const int FitSeasons = 14;

    private readonly float[] _window = new float[FitSeasons * seasonSteps];
    private HoltWintersModel? _model;
    private long _fittedAt = long.MinValue;
    private long _seenUntil = long.MinValue;

    /// <summary>Forecasts each horizon from the history of <paramref name="series"/> up to <paramref name="step"/>.</summary>
    public bool TryForecast(Series series, long step, ReadOnlySpan<int> horizonSteps, Span<float> forecasts)
    {
        if (_model is null || step - _fittedAt >= seasonSteps)
        {
            series.CopyHistory(step, _window);
            int first = Array.FindIndex(_window, v => !float.IsNaN(v));
            _model = first < 0 ? null : HoltWintersFit.Fit(_window.AsSpan(first), seasonSteps);
            if (_model is not null)
                _fittedAt = step;
        }
        else
        {
            for (long s = _seenUntil + 1; s <= step; s++)
                _model.Observe(series.CopyHistoryAt(s));
        }
        _seenUntil = step;
        if (_model is null)
            return false;
        for (int i = 0; i < horizonSteps.Length; i++)
            forecasts[i] = (float)_model.Forecast(horizonSteps[i]);
        return true;
    }
}
