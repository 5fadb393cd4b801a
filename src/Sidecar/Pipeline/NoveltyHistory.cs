using Sidecar.Host;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Feeds a series' <see cref="NoveltyScorer"/> every step it hasn't seen yet, from the store. A scorer that
/// is new (a new series, a restart, a reload) starts on the whole history the store keeps, so its records
/// are as long as that history at once; a series the inference loop skipped ahead catches up the same
/// way. In steady state that is one step. Used by the inference loop only.
/// Novelty is a one-step pulse, so a catch-up returns the highest novelty of the steps it fed that were
/// never published: an onset while the loop was behind still reaches the gauge, late rather than never.
/// A new scorer's replay of the stored history returns only the newest step's: those steps are the
/// history it learns from, not news.
/// </summary>
internal sealed class NoveltyHistory(TargetSettings settings)
{
    // The steps to feed, preceded by the day before them: one decode serves both the values and their day-ago values.
    private float[] _history = new float[1];

    /// <summary>Feeds the steps up to <paramref name="step"/>; returns the novelty to publish for them (see the class).</summary>
    /// <param name="value">The value at <paramref name="step"/>, already read by the caller.</param>
    /// <param name="surprise">The forecast's surprise at <paramref name="step"/>; NaN where there is none.</param>
    public double Advance(NoveltyScorer scorer, Series series, long step, float value, double surprise) =>
        Advance(scorer, series, step, value, series.CopyHistoryAt(step - settings.Anomaly.Novelty!.DaySteps), surprise);

    /// <summary><see cref="Advance(NoveltyScorer, Series, long, float, double)"/> with the value a day before <paramref name="step"/> already read by the caller.</summary>
    /// <param name="dayAgo">The value <c>DaySteps</c> before <paramref name="step"/>; the steady state's one step needs nothing else of the store.</param>
    public double Advance(NoveltyScorer scorer, Series series, long step, float value, float dayAgo, double surprise)
    {
        int daySteps = settings.Anomaly.Novelty!.DaySteps;
        if (scorer.LastStep == step - 1)
            return scorer.Observe(step, value, dayAgo, surprise);
        long oldest = step - Math.Min(series.ClosedStepCount, settings.HistorySteps) + 1;
        long from = scorer.LastStep == long.MinValue ? oldest : Math.Max(scorer.LastStep + 1, oldest);
        if (from > step)
            return 0;
        int count = (int)(step - from + 1);
        if (_history.Length < count + daySteps)
            _history = new float[count + daySteps];
        Span<float> history = _history.AsSpan(0, count + daySteps);
        series.CopyHistory(step, history);
        bool resumed = scorer.LastStep != long.MinValue;
        double novelty = 0;
        for (int i = 0; i < count; i++)
        {
            double observed = scorer.Observe(from + i, history[daySteps + i], history[i], i == count - 1 ? surprise : double.NaN);
            novelty = resumed ? Math.Max(novelty, observed) : observed;
        }
        return novelty;
    }
}
