using Sidecar.Host;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// Feeds a series' <see cref="NoveltyScorer"/> every step it hasn't seen yet, from the store. A scorer that
/// is new (a new series, a restart, a reload) starts on the whole history the store keeps, so its records
/// are as long as that history at once; a series the inference loop skipped ahead catches up the same
/// way, reading only the steps it missed and the same steps a day and a week earlier (until 2026-12-06 it
/// decoded the whole week before them: at a 1m step 10,080 values a series to catch up a few steps). In
/// steady state that is one step. Used by the inference loop only.
/// Novelty is a one-step pulse, so a catch-up returns the highest novelty of the steps it fed that were
/// never published: an onset while the loop was behind still reaches the gauge, late rather than never.
/// A new scorer's replay of the stored history returns only the newest step's: those steps are the
/// history it learns from, not news.
/// </summary>
internal sealed class NoveltyHistory(TargetSettings settings)
{
    // Where the steps to feed and their day-ago and week-ago values are read (see Advance).
    private float[] _history = new float[1];

    // A row of a table fed on its own (CatchUp), reused from one to the next.
    private NoveltyScorer? _scratch;

    /// <summary>
    /// <see cref="Advance(NoveltyScorer, Series, long, float, float, float, double)"/> for row <paramref name="row"/>
    /// of <paramref name="table"/>, through a scorer of its own: for a row the table can't step with the others
    /// (a new series, whose scorer starts here, or one skipped ahead). The novelty to publish is then the row's.
    /// </summary>
    public void CatchUp(NoveltyTable table, int row, Series series, long step, float value, float dayAgo, float weekAgo, double surprise)
    {
        NoveltyScorer scorer = table.Has(row) ? table.CopyOut(row, _scratch ??= new NoveltyScorer(table.Settings)) : new NoveltyScorer(table.Settings);
        table.CopyIn(scorer, row, Advance(scorer, series, step, value, dayAgo, weekAgo, surprise));
    }

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
        // The steps to feed with the same steps a day and a week before them: read as one stretch from a week
        // before the first (a new scorer's replay of the whole history), or, for a catch-up of a few steps,
        // as those steps and the same few a day and a week earlier, instead of decoding the week between.
        int views = weekSteps > 0 ? 3 : 2;
        bool apart = (long)count * views < (long)count + lookback;
        int needed = apart ? count * views : count + lookback;
        if (_history.Length < needed)
            _history = new float[needed];
        Span<float> values, dayBefore, weekBefore;
        if (apart)
        {
            values = _history.AsSpan(0, count);
            dayBefore = _history.AsSpan(count, count);
            weekBefore = weekSteps > 0 ? _history.AsSpan(2 * count, count) : default;
            series.CopyHistory(step, values);
            series.CopyHistory(step - daySteps, dayBefore);
            if (weekSteps > 0)
                series.CopyHistory(step - weekSteps, weekBefore);
        }
        else
        {
            Span<float> history = _history.AsSpan(0, needed);
            series.CopyHistory(step, history);
            values = history[lookback..];
            dayBefore = history.Slice(lookback - daySteps, count);
            weekBefore = weekSteps > 0 ? history.Slice(lookback - weekSteps, count) : default;
        }
        bool resumed = scorer.LastStep != long.MinValue;
        double noveltyNow = 0;
        for (int i = 0; i < count; i++)
        {
            double observed = scorer.Observe(from + i, values[i], dayBefore[i], weekSteps > 0 ? weekBefore[i] : float.NaN,
                i == count - 1 ? surprise : double.NaN);
            noveltyNow = resumed ? Math.Max(noveltyNow, observed) : observed;
        }
        return noveltyNow;
    }
}
