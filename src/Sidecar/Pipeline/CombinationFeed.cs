using Sidecar.Model.Baselines;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// What passes between the training thread and the inference loop for <c>model.combine: holt_winters</c>:
/// fitted models one way (<see cref="Publish"/>, taken in by <see cref="AdoptPublished"/>), the steps of
/// fits restored after a restart the other (<see cref="NoteRestored"/>, read by <see cref="TryTakeRestored"/>),
/// and the catching up of a model with the steps it hasn't seen (<see cref="CatchUp"/>).
/// </summary>
internal sealed class CombinationFeed(IReadOnlyList<int> horizonSteps, int daySteps)
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(Series Series, HoltWintersModel Model, long FittedThrough)> _fits = new();
    private readonly System.Collections.Concurrent.ConcurrentQueue<(Series Series, long FittedThrough)> _restored = new();
    // Each combination's judging and each adopted model's offsets, by series id, so a step walking series in
    // id order reads them row by row.
    private readonly CombinationRows _rows = new(horizonSteps, daySteps);
    private readonly HoltWintersSeasons _seasons = new(daySteps);
    private float[] _catchUp = [];
    private volatile bool _closed;

    /// <summary>Steps in a day: the fitted model's season; 0 when the target doesn't combine.</summary>
    public int DaySteps => daySteps;

    /// <summary>Training thread: hands over a model fitted on <paramref name="series"/>' history up to <paramref name="fittedThrough"/>.</summary>
    public void Publish(Series series, HoltWintersModel model, long fittedThrough)
    {
        if (!_closed)
            _fits.Enqueue((series, model, fittedThrough));
    }

    /// <summary>Stops taking fits, once the pipeline was retired.</summary>
    public void Close() => _closed = true;

    /// <summary>Inference loop: gives each published fit to its series' combination.</summary>
    public void AdoptPublished(Func<Series, SeriesState> stateOf)
    {
        while (_fits.TryDequeue(out var fit))
        {
            if (fit.Series.Forgotten)
                continue;
            SeriesState state = stateOf(fit.Series);
            state.Combination ??= new ForecastCombination(_rows, fit.Series.Id);
            state.Combination.Adopt(fit.Model, fit.FittedThrough);
            _seasons.Hold(fit.Series.Id, fit.Model, fit.FittedThrough + 1);
        }
    }

    /// <summary>
    /// Inference loop: a combination came back with the scoring state for <paramref name="series"/>, whose own
    /// it now is: its judging and its model's offsets join the target's others, and its fit counts as made when it was.
    /// </summary>
    public void NoteRestored(Series series, ForecastCombination combination)
    {
        combination.MoveTo(_rows, series.Id);
        if (combination.Model is not { } model)
            return;
        _seasons.Hold(series.Id, model, combination.ModelStep + 1);
        _restored.Enqueue((series, combination.FittedThrough));
    }

    /// <summary>Blocks of offsets made so far (for tests).</summary>
    internal int SeasonBlocks => _seasons.Blocks;

    /// <summary>Blocks of judging rows made so far (for tests).</summary>
    internal int JudgingBlocks => _rows.Blocks;

    /// <summary>Training thread: the next series whose restored combination already has a fit.</summary>
    public bool TryTakeRestored(out (Series Series, long FittedThrough) restored) => _restored.TryDequeue(out restored);

    /// <summary>
    /// Inference loop: feeds the combination's Holt-Winters the steps it hasn't seen, up to <paramref name="last"/>:
    /// one in steady state, more after a fit (made on the training thread a little earlier) or a skip. A model
    /// more than a day behind is dropped until the next fit, rather than replayed at length on this loop.
    /// </summary>
    /// <param name="reads">What the step read of the series; in steady state its value is the one step to feed.</param>
    public void CatchUp(Series series, ForecastCombination combination, long last, in StepReads reads)
    {
        long behind = last - combination.ModelStep;
        if (behind <= 0)
            return;
        if (behind > daySteps)
        {
            combination.DropModel();
            return;
        }
        if (behind == 1 && reads.Step == last)
        {
            // The steady state: the step has the value in hand. Read from the history instead, without a
            // cursor, it decoded half a block on average: with every series combined (the default once a
            // day's fit is made) that read was about a quarter of the outputs' pass (bench inference, issue 19).
            float value = reads.Value;
            combination.Feed(last, new ReadOnlySpan<float>(in value));
            return;
        }
        if (_catchUp.Length < behind)
            _catchUp = new float[daySteps];
        Span<float> values = _catchUp.AsSpan(0, (int)behind);
        series.CopyHistory(last, values);
        combination.Feed(last, values);
    }
}
