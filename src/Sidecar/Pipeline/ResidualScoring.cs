using System.Runtime.Intrinsics;
using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>
/// The anomaly score of each residual a step judged (<see cref="SteppedSeries.Scored"/>) and the forecast's
/// surprise, four series at once (<see cref="ScoreLanes"/>), with the scorers kept in each series' state; and
/// the crossings of the anomaly threshold either way, told in the chunk's order. Used by the inference loop only.
/// </summary>
internal sealed class ResidualScoring(TargetSettings settings)
{
    private readonly ScoreLanes _lanes = new(settings.Anomaly, AnomalyRates.Of(settings.Anomaly));

    /// <summary>
    /// Scores the residuals of the chunk's series that the planning loop marked (<see cref="SteppedSeries.Scored"/>),
    /// four at once (<see cref="ScoreLanes"/>), and tells of each series that crosses the anomaly threshold
    /// either way, in the chunk's order.
    /// </summary>
    public void Score(Span<SteppedSeries> chunk, Action<AnomalyTransition>? changed)
    {
        Span<int> lanes = stackalloc int[4];
        int filled = 0;
        for (int i = 0; i < chunk.Length; i++)
        {
            if (!chunk[i].Scored)
                continue;
            lanes[filled++] = i;
            if (filled == lanes.Length)
            {
                ScoreFour(chunk, lanes, changed);
                filled = 0;
            }
        }
        if (filled > 0)
            ScoreFour(chunk, lanes[..filled], changed);
    }

    // The lanes past the series given score these, on zeros: nothing reads their results.
    private AnomalyScorer _spareScorer;
    private ScoreSurprise _spareSurprise;

    private void ScoreFour(Span<SteppedSeries> chunk, ReadOnlySpan<int> lanes, Action<AnomalyTransition>? changed)
    {
        // A lane past the series given takes the last one's inputs, for a spare scorer. The inputs go into
        // the vectors from registers: written to memory one by one and read back as a vector, each waited for
        // the stores (a 256-bit load is not forwarded from four 64-bit stores), which made the lanes slower than
        // one series at a time.
        int count = lanes.Length;
        ref SteppedSeries t0 = ref chunk[lanes[0]];
        ref SteppedSeries t1 = ref chunk[lanes[Math.Min(1, count - 1)]];
        ref SteppedSeries t2 = ref chunk[lanes[Math.Min(2, count - 1)]];
        ref SteppedSeries t3 = ref chunk[lanes[Math.Min(3, count - 1)]];
        SeriesState s0 = t0.State, s1 = t1.State, s2 = t2.State, s3 = t3.State;
        Vector256<double> scores = _lanes.Score(
            ref s0.Scorer, ref count > 1 ? ref s1.Scorer : ref _spareScorer, ref count > 2 ? ref s2.Scorer : ref _spareScorer, ref count > 3 ? ref s3.Scorer : ref _spareScorer,
            ref s0.Surprise, ref count > 1 ? ref s1.Surprise : ref _spareSurprise, ref count > 2 ? ref s2.Surprise : ref _spareSurprise, ref count > 3 ? ref s3.Surprise : ref _spareSurprise,
            Vector256.Create(s0.LastResidual, s1.LastResidual, s2.LastResidual, s3.LastResidual),
            Vector256.Create(t0.Reads.Value, t1.Reads.Value, t2.Reads.Value, t3.Reads.Value),
            Vector256.Create(s0.PendingLowerGap, s1.PendingLowerGap, s2.PendingLowerGap, s3.PendingLowerGap),
            Vector256.Create(s0.PendingUpperGap, s1.PendingUpperGap, s2.PendingUpperGap, s3.PendingUpperGap),
            out Vector256<double> surprises);
        for (int lane = 0; lane < count; lane++)
        {
            ref SteppedSeries stepped = ref chunk[lanes[lane]];
            stepped.State.LastScore = scores.GetElement(lane);
            if (_lanes.Surprises)
                stepped.Surprise = stepped.State.LastSurprise = surprises.GetElement(lane);
        }
        // Told after every lane's score is in place: a subscriber that throws leaves no scorer moved on
        // without its score published.
        for (int lane = 0; lane < count; lane++)
        {
            ref SteppedSeries stepped = ref chunk[lanes[lane]];
            SeriesState state = stepped.State;
            if (state.LastScore > 1 != state.Anomalous)
            {
                state.Anomalous = !state.Anomalous;
                changed?.Invoke(new AnomalyTransition(settings.Name, stepped.Series.Labels, state.Anomalous, stepped.Reads.Step * settings.StepMs, state.LastScore, stepped.Reads.Value, state.PendingOneStep));
            }
        }
    }
}
