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
    // The steps to feed, preceded by the week (or the day) before them: one decode serves the values and
    // their day-ago and week-ago values.
    private float[] _history = new float[1];

    /// <summary>Feeds the steps up to <paramref name="step"/>; returns the novelty to publish for them (see the class).</summary>
    /// <param name="value">The value at <paramref name="step"/>, already read by the caller.</param>
    /// <param name="surprise">The forecast's surprise at <paramref name="step"/>; NaN where there is none.</param>
    public double Advance(NoveltyScorer scorer, Series series, long step, float value, double surprise)
    {
        NoveltySettings novelty = settings.Anomaly.Novelty!;
        return Advance(scorer, series, step, value, series.CopyHistoryAt(step - novelty.DaySteps),
            novelty.WeekSteps > 0 ? series.CopyHistoryAt(step - novelty.WeekSteps) : float.NaN, surprise);
    }

    /// <summary><see cref="Advance(NoveltyScorer, Series, long, float, double)"/> with the values a day and a week before <paramref name="step"/> already read by the caller.</summary>
    /// <param name="dayAgo">The value <c>DaySteps</c> before <paramref name="step"/>; the steady state's one step needs nothing else of the store.</param>
    /// <param name="weekAgo">The value <c>WeekSteps</c> before <paramref name="step"/>; NaN where the week-over-week view is off.</param>
    public double Advance(NoveltyScorer scorer, Series series, long step, float value, float dayAgo, float weekAgo, double surprise)
    {
        if (scorer.LastStep == step - 1)
            return scorer.Observe(step, value, dayAgo, weekAgo, surprise);
        NoveltySettings novelty = settings.Anomaly.Novelty!;
        int daySteps = novelty.DaySteps, weekSteps = novelty.WeekSteps;
        int lookback = Math.Max(daySteps, weekSteps);
        long oldest = step - Math.Min(series.ClosedStepCount, settings.HistorySteps) + 1;
        long from = scorer.LastStep == long.MinValue ? oldest : Math.Max(scorer.LastStep + 1, oldest);
        if (from > step)
            return 0;
        int count = (int)(step - from + 1);
        if (_history.Length < count + lookback)
            _history = new float[count + lookback];
        Span<float> history = _history.AsSpan(0, count + lookback);
        series.CopyHistory(step, history);
        bool resumed = scorer.LastStep != long.MinValue;
        double noveltyNow = 0;
        for (int i = 0; i < count; i++)
        {
            int at = lookback + i;
            double observed = scorer.Observe(from + i, history[at], history[at - daySteps],
                weekSteps > 0 ? history[at - weekSteps] : float.NaN, i == count - 1 ? surprise : double.NaN);
            noveltyNow = resumed ? Math.Max(noveltyNow, observed) : observed;
        }
        return noveltyNow;
    }
}
