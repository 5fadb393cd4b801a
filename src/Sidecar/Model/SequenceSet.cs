namespace Sidecar.Model;

/// <summary>
/// The training data of one run: every series' history cut into lanes, and the code that turns a batch
/// of lanes into input and target rows one chunk of steps at a time (truncated back-propagation through
/// time: state is carried from chunk to chunk of a lane, gradients are not).
/// <para>
/// Training lanes tile each series' training part; each starts a window early, so every scored step has
/// at least a window of context behind it. Validation runs one lane per series over the validation part,
/// warmed up on the window before it. A training target is dropped when it falls in the validation part,
/// and scalers come from the training part alone, so nothing of the validation period leaks into training.
/// </para>
/// </summary>
internal sealed class SequenceSet(FeatureLayout layout, IReadOnlyList<int> headSteps, int window)
{
    private readonly List<SeriesHistory> _series = [];

    public FeatureLayout Layout { get; } = layout;

    public IReadOnlyList<int> HeadSteps { get; } = headSteps;

    /// <summary>Warm-up before the first scored step, and the length of a back-propagation chunk.</summary>
    public int Window { get; } = window;

    public IReadOnlyList<SeriesHistory> Series => _series;

    public void Add(SeriesHistory series) => _series.Add(series);

    /// <summary>Training lanes, each scoring up to <paramref name="scoredSteps"/> steps.</summary>
    public List<Lane> TrainingLanes(int scoredSteps)
    {
        var lanes = new List<Lane>();
        foreach (var series in _series)
        {
            int firstScored = Math.Max(series.FitStart, Window);
            for (int from = firstScored; from < series.Split; from += scoredSteps)
            {
                int to = Math.Min(from + scoredSteps, series.Split);
                lanes.Add(new Lane(series, from - Window, from, to, series.Split));
            }
        }
        return lanes;
    }

    /// <summary>One lane per series over its validation part.</summary>
    public List<Lane> ValidationLanes() =>
        _series.Where(s => s.Split < s.Values.Length)
            .Select(s => new Lane(s, Math.Max(0, s.Split - Window), s.Split, s.Values.Length, s.Values.Length))
            .ToList();

    /// <summary>How many scored targets the validation part holds; training needs some.</summary>
    public int CountTargets(IEnumerable<Lane> lanes)
    {
        int count = 0;
        foreach (var lane in lanes)
        {
            for (int p = lane.LossFrom; p < lane.To; p++)
            {
                if (float.IsNaN(lane.Series.Values[p]))
                    continue;
                foreach (int h in HeadSteps)
                {
                    if (p + h < lane.TargetEnd && !float.IsNaN(lane.Series.Values[p + h]))
                        count++;
                }
            }
        }
        return count;
    }

    /// <summary>
    /// Fills <paramref name="inputs"/> <c>[lanes, steps, features]</c> and <paramref name="targets"/>
    /// <c>[lanes, steps, heads]</c> for steps <c>[offset, offset + steps)</c> of each lane. A lane that is
    /// shorter is padded with missing steps and no targets; padding only ever follows real steps, so it
    /// can't change what the network says about them. <paramref name="anchors"/> carries each lane's
    /// last observed scaled value (and smoothed levels) from chunk to chunk; start it at <see cref="InputLevels.Unknown"/>.
    /// </summary>
    public void FillChunk(IReadOnlyList<Lane> lanes, int offset, int steps, float[] inputs, float[] targets, InputLevels[] anchors)
    {
        int features = Layout.Count, heads = HeadSteps.Count;
        for (int b = 0; b < lanes.Count; b++)
        {
            Lane lane = lanes[b];
            SeriesHistory s = lane.Series;
            if (anchors[b].IsUnknown)
                anchors[b] = InitialLevels(s, lane.From);
            for (int t = 0; t < steps; t++)
            {
                int p = lane.From + offset + t;
                var row = inputs.AsSpan((b * steps + t) * features, features);
                var target = targets.AsSpan((b * steps + t) * heads, heads);
                target.Fill(float.NaN);
                if (p >= lane.To)
                {
                    InputLevels pad = anchors[b];
                    Layout.Fill(row, s.FirstStep + p, float.NaN, float.NaN, float.NaN, s.Scaler, ref pad);
                    for (int c = 0; c < Layout.CovariateCount; c++)
                        Layout.FillCovariate(row, c, float.NaN);
                    continue;
                }
                float value = s.Values[p];
                Layout.Fill(row, s.FirstStep + p, value, s.At(p - Layout.DailyLagSteps), s.At(p - Layout.WeeklyLagSteps), s.Scaler, ref anchors[b]);
                for (int c = 0; c < Layout.CovariateCount; c++)
                    Layout.FillCovariate(row, c, c < s.Covariates.Length && s.Covariates[c] is { } covariate ? covariate.ScaledAtStep(s.FirstStep + p) : float.NaN);
                if (p < lane.LossFrom || float.IsNaN(value))
                    continue;
                for (int h = 0; h < heads; h++)
                {
                    int future = p + HeadSteps[h];
                    if (future < lane.TargetEnd && !float.IsNaN(s.Values[future]))
                        target[h] = s.Scaler.Scale(s.Values[future]) - anchors[b].Anchor;
                }
            }
        }
    }

    // What a lane starts from: with smoothed levels, the levels run over the steps before it, as serving
    // does for the window a series warms up on; the anchor is the last observed value before the lane, or
    // the centre when there is none.
    private InputLevels InitialLevels(SeriesHistory series, int from)
    {
        if (Layout.Settings.SmoothedLevels)
        {
            int start = Math.Max(0, from - InputLevels.WarmupSteps);
            var levels = InputLevels.Over(series.Values.AsSpan(start, from - start), series.Scaler);
            if (!levels.IsUnknown)
                return levels;
        }
        return InputLevels.At(InitialAnchor(series, from));
    }

    private static float InitialAnchor(SeriesHistory series, int from)
    {
        for (int p = from - 1; p >= 0; p--)
        {
            if (!float.IsNaN(series.Values[p]))
                return series.Scaler.Scale(series.Values[p]);
        }
        return 0;
    }
}
