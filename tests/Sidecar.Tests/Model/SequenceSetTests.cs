using Sidecar.Host;
using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class SequenceSetTests
{
    private static readonly FeatureLayout ValuesOnly = new(new FeatureSettings(false, false, false), 60_000);

    private static (float[] Inputs, float[] Targets) Fill(SequenceSet data, List<Lane> lanes)
    {
        int steps = lanes.Max(l => l.Length);
        var inputs = new float[lanes.Count * steps * data.Layout.Count];
        var targets = new float[lanes.Count * steps * data.HeadSteps.Count];
        var anchors = Enumerable.Repeat(InputLevels.Unknown, lanes.Count).ToArray();
        data.FillChunk(lanes, 0, steps, inputs, targets, anchors);
        return (inputs, targets);
    }

    [Fact]
    public void SplitsChronologicallyAndFitsTheScalerOnTheTrainingPartOnly()
    {
        float[] history = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var series = new SeriesHistory("s", 0, history, fitStart: 0, validationFraction: 0.2);
        Assert.Equal(80, series.Split);
        // Median and IQR of 0..79 only: the validation period's values are unknown to the scaler.
        Assert.Equal(new RobustScaler(39.5f, 39.5f), series.Scaler);

        var data = new SequenceSet(ValuesOnly, [1, 3], window: 5);
        data.Add(series);
        foreach (var lane in data.TrainingLanes(scoredSteps: 15))
        {
            Assert.Equal(lane.From + 5, lane.LossFrom);
            Assert.Equal(80, lane.TargetEnd);
        }
        var validation = Assert.Single(data.ValidationLanes());
        Assert.Equal((75, 80, 100), (validation.From, validation.LossFrom, validation.To));
    }

    [Fact]
    public void TargetsAreScaledChangesAndNoTrainingTargetReachesIntoValidation()
    {
        float[] history = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var data = new SequenceSet(ValuesOnly, [1, 3], window: 5);
        data.Add(new SeriesHistory("s", 0, history, 0, 0.2));
        var lanes = data.TrainingLanes(scoredSteps: 100);
        var (inputs, targets) = Fill(data, lanes);
        Lane lane = Assert.Single(lanes);
        for (int t = 0; t < lane.Length; t++)
        {
            int p = lane.From + t;
            float one = targets[t * 2], three = targets[t * 2 + 1];
            Assert.Equal(p < lane.LossFrom || p + 1 >= 80, float.IsNaN(one));
            Assert.Equal(p < lane.LossFrom || p + 3 >= 80, float.IsNaN(three));
            if (!float.IsNaN(three))
                Assert.Equal(3 / 39.5f, three, 5);
            Assert.Equal((p - 39.5f) / 39.5f, inputs[t * 2], 5);
            Assert.Equal(0, inputs[t * 2 + 1]);
        }
    }

    [Fact]
    public void ChangingTheValidationPeriodLeavesTrainingUntouched()
    {
        float[] a = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i / 3.0)).ToArray();
        float[] b = (float[])a.Clone();
        for (int i = 80; i < 100; i++)
            b[i] = 1000;
        var left = new SequenceSet(ValuesOnly, [1, 4], 5);
        var right = new SequenceSet(ValuesOnly, [1, 4], 5);
        left.Add(new SeriesHistory("s", 0, a, 0, 0.2));
        right.Add(new SeriesHistory("s", 0, b, 0, 0.2));
        Assert.Equal(left.Series[0].Scaler, right.Series[0].Scaler);
        var (li, lt) = Fill(left, left.TrainingLanes(20));
        var (ri, rt) = Fill(right, right.TrainingLanes(20));
        Assert.Equal(li, ri);
        Assert.Equal(lt, rt);
    }

    [Fact]
    public void AGapIsAFlaggedCarriedInputAndNeverATarget()
    {
        float[] history = Enumerable.Range(0, 50).Select(i => (float)i).ToArray();
        history[20] = float.NaN;
        var data = new SequenceSet(ValuesOnly, [1], 4);
        data.Add(new SeriesHistory("s", 0, history, 0, 0.2));
        var lanes = data.TrainingLanes(100);
        var (inputs, targets) = Fill(data, lanes);
        int t = 20 - lanes[0].From;
        Assert.Equal(1, inputs[t * 2 + 1]);
        Assert.Equal(inputs[(t - 1) * 2], inputs[t * 2]); // carried forward, flagged
        Assert.True(float.IsNaN(targets[t - 1])); // the step before can't target the gap
        Assert.True(float.IsNaN(targets[t])); // a gap is no forecast origin
        Assert.DoesNotContain(inputs, float.IsNaN);
    }

    [Fact]
    public void CalendarAndSeasonalLagsAreInputsWhenConfigured()
    {
        var layout = new FeatureLayout(new FeatureSettings(true, true, true), 3_600_000);
        Assert.Equal(24, layout.DailyLagSteps);
        Assert.Equal(168, layout.WeeklyLagSteps);
        Assert.Equal(10, layout.Count);
        var row = new float[layout.Count];
        var anchor = InputLevels.Unknown;
        var scaler = new RobustScaler(0, 1);
        // Step 0 is 1970-01-01 00:00 UTC, a Thursday: time-of-day angle 0, three days into the Monday week.
        layout.Fill(row, 0, 5, dailyLag: 4, weeklyLag: float.NaN, scaler, ref anchor);
        Assert.Equal([5f, 0f, 0f, 1f], row[..4]);
        Assert.Equal(Math.Sin(2 * Math.PI * 3 / 7), row[4], 5);
        Assert.Equal([4f, 0f, 5f, 1f], row[6..]);
    }

    [Fact]
    public void SmoothedLevelsFollowObservedValuesAndHoldOverGaps()
    {
        var layout = new FeatureLayout(new FeatureSettings(false, false, false, SmoothedLevels: true), 60_000);
        Assert.Equal(4, layout.Count);
        var row = new float[layout.Count];
        var levels = InputLevels.Unknown;
        var scaler = new RobustScaler(0, 1);
        layout.Fill(row, 0, 4, float.NaN, float.NaN, scaler, ref levels);
        // The first value starts every level: nothing to smooth yet.
        Assert.Equal([4f, 0f, 0f, 0f], row);
        layout.Fill(row, 1, 8, float.NaN, float.NaN, scaler, ref levels);
        // Fast: 4 + (8 - 4) / 4 = 5; slow: 4 + (8 - 4) / 16 = 4.25; each less the last value, 8.
        Assert.Equal([8f, 0f, -3f, -3.75f], row);
        layout.Fill(row, 2, float.NaN, float.NaN, float.NaN, scaler, ref levels);
        // A gap carries the last value, flagged, and moves no level.
        Assert.Equal([8f, 1f, -3f, -3.75f], row);
        Assert.Equal((8f, 5f, 4.25f), (levels.Anchor, levels.Fast, levels.Slow));
    }

    [Fact]
    public void TrainingLanesCarryTheSmoothedLevelsFromChunkToChunk()
    {
        var layout = new FeatureLayout(new FeatureSettings(false, false, false, SmoothedLevels: true), 60_000);
        float[] values = [.. Enumerable.Range(0, 40).Select(i => (float)(i % 7))];
        var data = new SequenceSet(layout, [1], window: 4);
        data.Add(new SeriesHistory("s", 0, values, fitStart: 0, validationFraction: 0.25));
        var lane = data.TrainingLanes(scoredSteps: 20);
        int steps = lane[0].Length;
        var whole = new float[steps * layout.Count];
        data.FillChunk([lane[0]], 0, steps, whole, new float[steps], [InputLevels.Unknown]);
        // The same lane in two chunks, as truncated back-propagation cuts it.
        InputLevels[] carried = [InputLevels.Unknown];
        var first = new float[10 * layout.Count];
        var second = new float[(steps - 10) * layout.Count];
        data.FillChunk([lane[0]], 0, 10, first, new float[10], carried);
        data.FillChunk([lane[0]], 10, steps - 10, second, new float[steps - 10], carried);
        Assert.Equal(whole, first.Concat(second).ToArray());
        Assert.NotEqual(0f, whole[(steps - 1) * layout.Count + 3]);
    }

    [Fact]
    public void ALaneStartsItsLevelsFromTheStepsBeforeIt()
    {
        // Serving warms a series' levels up on the steps before its window (TargetPipeline); a training lane
        // must see the same levels, or the network learns from inputs it never gets in serving.
        var layout = new FeatureLayout(new FeatureSettings(false, false, false, SmoothedLevels: true), 60_000);
        float[] values = [.. Enumerable.Range(0, 300).Select(i => (float)(i % 11) + i / 50f)];
        var data = new SequenceSet(layout, [1], window: 4);
        var series = new SeriesHistory("s", 0, values, fitStart: 0, validationFraction: 0.2);
        data.Add(series);
        Lane lane = data.TrainingLanes(scoredSteps: 20).First(l => l.From >= InputLevels.WarmupSteps);
        var row = new float[layout.Count];
        data.FillChunk([lane], 0, 1, row, new float[1], [InputLevels.Unknown]);

        var expected = InputLevels.Over(values.AsSpan(lane.From - InputLevels.WarmupSteps, InputLevels.WarmupSteps), series.Scaler);
        expected.Observe(series.Scaler.Scale(values[lane.From]));
        Assert.Equal(expected.Fast - expected.Anchor, row[layout.LevelsStart], 5);
        Assert.Equal(expected.Slow - expected.Anchor, row[layout.LevelsStart + 1], 5);
    }
}
