using Sidecar.Host;
using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Fits the Holt-Winters that <c>model.combine: holt_winters</c> combines with the LSTM, per series, on the
/// training thread: once a series has two days of history, and again once its fit is a day old, on its
/// last 14 days at most (<see cref="HoltWintersFit"/>, every weight and initial state fitted), and hands
/// each fit to the pipeline, which filters it with every later step. A fit takes a fraction of a second
/// (0.08 s on 14 days at 1-minute steps with <see cref="FitIterations"/>, <c>bench training</c>), so each pass fits at most <see cref="FitsPerPass"/> series, the
/// stalest first, and a big target's refits spread over the day instead of stalling its training.
/// A fit restored with the scoring state after a restart counts as made when it was, so a restart does
/// not refit every series at once. Used by the training thread only.
/// </summary>
internal sealed class HoltWintersRefits(TargetPipeline pipeline)
{
    /// <summary>Series fitted per scheduler pass (one a second in the service) at most.</summary>
    public const int FitsPerPass = 8;

    private const int FitDays = 14;

    /// <summary>
    /// The optimiser's iteration cap per fit: a fifth of the baseline's (<see cref="HoltWintersFit.ConvergedIterations"/>)
    /// and a fifth of its time, with the sum of squared errors within 0.1 % of it on 14 days at 1-minute steps.
    /// </summary>
    public const int FitIterations = 100;

    // The step each series was last fitted at (or found too short at), by series object: a series that is
    // forgotten and comes back is a new object and is fitted anew.
    private readonly Dictionary<Series, long> _fittedAt = new(ReferenceEqualityComparer.Instance);
    private readonly List<(Series Series, long Step, long FittedAt)> _due = [];
    private float[] _window = [];

    /// <summary>Fits the series that are due, at most <see cref="FitsPerPass"/>; returns how many were fitted.</summary>
    public int RunDue(long nowMs)
    {
        TargetSettings settings = pipeline.Settings;
        if (settings.Model.Combine != ModelCombination.HoltWinters)
            return 0;
        int daySteps = (int)(86_400_000 / settings.StepMs);
        while (pipeline.Combinations.TryTakeRestored(out var restored))
            _fittedAt[restored.Series] = Math.Max(restored.FittedThrough, _fittedAt.GetValueOrDefault(restored.Series, long.MinValue));
        _due.Clear();
        IReadOnlyList<Series> current = pipeline.Store.Current();
        foreach (Series series in current)
        {
            if (series.Forgotten)
                continue;
            long last = series.LastClosedStepAt(nowMs);
            long fittedAt = _fittedAt.GetValueOrDefault(series, long.MinValue);
            if (last == long.MinValue || (fittedAt != long.MinValue && last - fittedAt < daySteps))
                continue;
            _due.Add((series, last, fittedAt));
        }
        if (_fittedAt.Count > current.Count)
            Prune(current);
        _due.Sort((a, b) => a.FittedAt.CompareTo(b.FittedAt));
        int fitted = 0;
        for (int i = 0; i < _due.Count && fitted < FitsPerPass; i++)
        {
            var (series, last, _) = _due[i];
            _fittedAt[series] = last;
            int length = Math.Min(series.ClosedStepCount, FitDays * daySteps);
            if (length < 2 * daySteps)
            {
                // Too short yet: looked at again a day on, without counting against this pass.
                _fittedAt[series] = last - daySteps + Math.Max(1, 2 * daySteps - length);
                continue;
            }
            if (_window.Length < length)
                _window = new float[FitDays * daySteps];
            Span<float> window = _window.AsSpan(0, length);
            series.CopyHistory(last, window);
            int first = 0;
            while (first < window.Length && float.IsNaN(window[first]))
                first++;
            if (first == window.Length)
                continue;
            fitted++;
            if (HoltWintersFit.Fit(window[first..], daySteps, FitIterations) is { } model)
                pipeline.Combinations.Publish(series, model, last);
        }
        return fitted;
    }

    private void Prune(IReadOnlyList<Series> current)
    {
        var live = new HashSet<Series>(current, ReferenceEqualityComparer.Instance);
        foreach (Series gone in _fittedAt.Keys.Where(s => !live.Contains(s)).ToList())
            _fittedAt.Remove(gone);
    }
}
