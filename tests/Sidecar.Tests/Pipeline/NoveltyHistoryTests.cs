using Sidecar.Host;
using Sidecar.Pipeline;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Tests.Pipeline;

/// <summary>
/// A scorer the inference loop caught up a few steps at a time sees what one fed every step sees: each
/// step's value with the values a day and a week before it, whether the catch-up reads those as one
/// stretch (a new scorer's replay of the whole history) or, for a few steps, as three short ones.
/// </summary>
public sealed class NoveltyHistoryTests
{
    [Fact]
    public void CatchUpsOfAnySizeFeedEachStepWithItsDayAndWeekAgoValues()
    {
        // Ten-minute steps: a day is 144 steps, a week 1,008, in a ten-day history.
        var settings = NoveltyPipelineTests.Settings(history: "10d").Targets[0];
        NoveltySettings novelty = settings.Anomaly.Novelty!;
        Assert.Equal(1_008, novelty.WeekSteps);
        var series = new TargetStore(settings).Add(new LabelSet([new("__name__", "test_metric")]), isCounter: false);
        var random = new Random(3);
        const long First = 100_000;
        var values = new Dictionary<long, float>();
        void Write(long step)
        {
            // A daily shape with weekends, noise, a few gaps and now and then a jump.
            if (random.NextDouble() < 0.03)
                return;
            float value = (float)(50 + 20 * Math.Sin(step * 2 * Math.PI / 144) + (step / 144 % 7 >= 5 ? -15 : 0)
                + random.NextDouble() * 3 + (random.NextDouble() < 0.005 ? 80 : 0));
            values[step] = value;
            series.Append(step * settings.StepMs, value, step * settings.StepMs);
        }
        float At(long step) => values.TryGetValue(step, out float v) ? v : float.NaN;

        long step = First;
        for (; step < First + 1_200; step++)
            Write(step);
        var history = new NoveltyHistory(settings);
        var caughtUp = new NoveltyScorer(novelty);
        var byHand = new NoveltyScorer(novelty);
        int catchUps = 0;
        while (step < First + 2_600)
        {
            // The loop falls behind by one to sixty steps, then runs.
            int behind = random.Next(1, 61);
            for (int i = 0; i < behind; i++)
                Write(step++);
            series.EndBatch();
            long closed = series.LastClosedStep;
            double reported = history.Advance(caughtUp, series, closed, At(closed), double.NaN);
            double expected = 0;
            bool first = byHand.LastStep == long.MinValue;
            // A new scorer starts on the whole history kept.
            long from = first ? closed - Math.Min(series.ClosedStepCount, settings.HistorySteps) + 1 : byHand.LastStep + 1;
            for (long s = from; s <= closed; s++)
            {
                double observed = byHand.Observe(s, At(s), At(s - novelty.DaySteps), At(s - novelty.WeekSteps), double.NaN);
                expected = first ? observed : Math.Max(expected, observed);
            }
            Assert.Equal(byHand.LastStep, caughtUp.LastStep);
            Assert.Equal(expected, reported);
            // And the scorers hold the same records, windows and views, byte for byte.
            Assert.Equal(Saved(byHand), Saved(caughtUp));
            catchUps++;
        }
        Assert.True(catchUps > 40, $"{catchUps} catch-ups");
    }

    private static byte[] Saved(NoveltyScorer scorer)
    {
        using var bytes = new MemoryStream();
        using (var writer = new BinaryWriter(bytes, System.Text.Encoding.UTF8, leaveOpen: true))
            scorer.WriteTo(writer);
        return bytes.ToArray();
    }
}
