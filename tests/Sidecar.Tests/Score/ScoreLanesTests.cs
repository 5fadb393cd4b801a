using System.Runtime.Intrinsics;
using Sidecar.Host;
using Sidecar.Score;

namespace Sidecar.Tests.Score;

public sealed class ScoreLanesTests
{
    // Short windows, so a few thousand steps pass every warm-up many times over; each setting the scalar code branches on.
    private static readonly Dictionary<string, AnomalySettings> Settings = new()
    {
        ["both, shift, surprise"] = new(Sigmas: 3, ScaleSteps: 50, WarmupSteps: 20, ShiftSteps: 8, SurpriseSteps: 40),
        ["above, floors"] = new(Sigmas: 2.5, ScaleSteps: 30, WarmupSteps: 5, Direction: AnomalyDirection.Above, MinDeviation: 0.5, MinRelativeDeviation: 0.01, SurpriseSteps: 12),
        ["below, shift, no surprise"] = new(Sigmas: 4, ScaleSteps: 100, WarmupSteps: 0, Direction: AnomalyDirection.Below, ShiftSteps: 3),
    };

    public static TheoryData<string> SettingsNames => [.. Settings.Keys];

    [Theory]
    [MemberData(nameof(SettingsNames))]
    public void EachLaneScoresExactlyAsItsScorerAlone(string name)
    {
        AnomalySettings settings = Settings[name];
        var rates = AnomalyRates.Of(settings);
        var lanes = new ScoreLanes(settings, rates);
        Assert.Equal(settings.SurpriseSteps > 0, lanes.Surprises);
        var random = new Random(31);
        // Eight series, four lanes: each call scores four of them, picked at random, so the lanes' scorers
        // stand at different counts (some still warming up, some in their first step) and move apart.
        var laneScorers = new AnomalyScorer[8];
        var laneSurprises = new ScoreSurprise[8];
        var aloneScorers = new AnomalyScorer[8];
        var aloneSurprises = new ScoreSurprise[8];
        int scoredAboveOne = 0, nonZeroSurprises = 0, intervalLess = 0;
        for (int call = 0; call < 4000; call++)
        {
            int[] picked = [.. Enumerable.Range(0, 8).OrderBy(_ => random.Next()).Take(4)];
            var residual = new double[4];
            var actual = new double[4];
            var lowerGap = new double[4];
            var upperGap = new double[4];
            for (int lane = 0; lane < 4; lane++)
            {
                // Mostly ordinary residuals, with spikes, exact zeros (both signs) and NaN gaps (a model without an interval).
                double draw = random.NextDouble();
                residual[lane] = draw < 0.05 ? 0.0 : draw < 0.08 ? -0.0 : draw < 0.13 ? (random.NextDouble() - 0.5) * 200 : (float)((random.NextDouble() - 0.5) * 2);
                actual[lane] = draw < 0.1 ? 0 : (float)(random.NextDouble() * 100 - 20);
                bool noInterval = random.NextDouble() < 0.2;
                intervalLess += noInterval ? 1 : 0;
                lowerGap[lane] = noInterval ? double.NaN : random.NextDouble() < 0.05 ? 0 : (float)random.NextDouble();
                upperGap[lane] = noInterval ? double.NaN : (float)random.NextDouble();
            }
            Vector256<double> scores = lanes.Score(
                ref laneScorers[picked[0]], ref laneScorers[picked[1]], ref laneScorers[picked[2]], ref laneScorers[picked[3]],
                ref laneSurprises[picked[0]], ref laneSurprises[picked[1]], ref laneSurprises[picked[2]], ref laneSurprises[picked[3]],
                Vector256.Create(residual), Vector256.Create(actual), Vector256.Create(lowerGap), Vector256.Create(upperGap),
                out Vector256<double> surprises);
            for (int lane = 0; lane < 4; lane++)
            {
                int series = picked[lane];
                double score = aloneScorers[series].Score(residual[lane], actual[lane], lowerGap[lane], upperGap[lane], settings, rates);
                Assert.Equal(BitConverter.DoubleToInt64Bits(score), BitConverter.DoubleToInt64Bits(scores[lane]));
                scoredAboveOne += score > 1 ? 1 : 0;
                if (settings.SurpriseSteps > 0)
                {
                    double surprise = aloneSurprises[series].Observe(score, settings.SurpriseSteps, rates.SurpriseAlpha);
                    Assert.Equal(BitConverter.DoubleToInt64Bits(surprise), BitConverter.DoubleToInt64Bits(surprises[lane]));
                    nonZeroSurprises += surprise > 0 ? 1 : 0;
                }
                else
                {
                    Assert.True(double.IsNaN(surprises[lane]));
                }
                AssertSameState(aloneScorers[series], aloneSurprises[series], laneScorers[series], laneSurprises[series]);
            }
        }
        // The data reached every part of the arithmetic: anomalous scores, surprises, bands missing.
        Assert.True(scoredAboveOne > 50, $"{scoredAboveOne} scores above 1");
        Assert.True(settings.SurpriseSteps == 0 || nonZeroSurprises > 50, $"{nonZeroSurprises} surprises above 0");
        Assert.True(intervalLess > 1000);
    }

    // The scorers' saved form holds all of their state: the same bytes, the same scorer.
    private static void AssertSameState(AnomalyScorer scorer, ScoreSurprise surprise, AnomalyScorer laneScorer, ScoreSurprise laneSurprise)
    {
        Assert.Equal(Saved(scorer.WriteTo), Saved(laneScorer.WriteTo));
        Assert.Equal(Saved(surprise.WriteTo), Saved(laneSurprise.WriteTo));
    }

    private static byte[] Saved(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            write(writer);
        return stream.ToArray();
    }
}
