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
    /// <remarks>
    /// Which series are due is looked up once a target step, or a minute for a longer step
    /// (<see cref="TrainingScheduler.LookInterval"/>), not at every pass: a series becomes due when a step closes
    /// (or a backfill brings its history), and the scan reads every series. At every pass (one a second) it was
    /// most of an idle sidecar's CPU: holding 100k series at 1m steps with no sample arriving, the sidecar spent
    /// 2.5 to 2.7 % of a core, 0.6 % with this and the training check looked for as often
    /// (<c>bench/idle-cpu.sh</c>, issue 19). Between scans each pass takes the next of the due series, stalest
    /// first, as a fresh scan would have ordered them; one fitted, restored or forgotten since the scan is passed over.
    /// </remarks>
    public int RunDue(long nowMs)
    {
        TargetSettings settings = pipeline.Settings;
        if (settings.Model.Combine != ModelCombination.HoltWinters)
            return 0;
        int daySteps = (int)(86_400_000 / settings.StepMs);
        while (pipeline.Combinations.TryTakeRestored(out var restored))
            _fittedAt[restored.Series] = Math.Max(restored.FittedThrough, _fittedAt.GetValueOrDefault(restored.Series, long.MinValue));
        if (_scannedAtMs == long.MinValue || nowMs < _scannedAtMs
            || nowMs - _scannedAtMs >= (long)TrainingScheduler.LookInterval(settings).TotalMilliseconds)
        {
            FindDue(nowMs, daySteps);
            _scannedAtMs = nowMs;
        }
        int fitted = 0;
        while (_nextDue < _due.Count && fitted < FitsPerPass)
        {
            var (series, last, _) = _due[_nextDue++];
            if (series.Forgotten || !IsDue(last, _fittedAt.GetValueOrDefault(series, long.MinValue), daySteps))
                continue;
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

    // When _due was found (found again a LookInterval on, or at once if the clock steps back), and the next of
    // its series a pass takes.
    private long _scannedAtMs = long.MinValue;
    private int _nextDue;

    // Every series due at nowMs, stalest first: never fitted, or its fit a day old.
    private void FindDue(long nowMs, int daySteps)
    {
        _due.Clear();
        _nextDue = 0;
        IReadOnlyList<Series> current = pipeline.Store.Current();
        foreach (Series series in current)
        {
            if (series.Forgotten)
                continue;
            long last = series.LastClosedStepAt(nowMs);
            long fittedAt = _fittedAt.GetValueOrDefault(series, long.MinValue);
            if (!IsDue(last, fittedAt, daySteps))
                continue;
            _due.Add((series, last, fittedAt));
        }
        if (_fittedAt.Count > current.Count)
            Prune(current);
        _due.Sort((a, b) => a.FittedAt.CompareTo(b.FittedAt));
    }

    // Due: a closed step to fit through, and no fit yet or one a day old. The scan asks, and each pass again
    // for a series it takes (a fit restored or made since the scan makes it not due).
    private static bool IsDue(long last, long fittedAt, int daySteps) =>
        last != long.MinValue && (fittedAt == long.MinValue || last - fittedAt >= daySteps);

    private void Prune(IReadOnlyList<Series> current)
    {
        var live = new HashSet<Series>(current, ReferenceEqualityComparer.Instance);
        foreach (Series gone in _fittedAt.Keys.Where(s => !live.Contains(s)).ToList())
            _fittedAt.Remove(gone);
    }
}
