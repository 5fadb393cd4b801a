using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Model;

[Collection(TorchRandomCollection.Name)]
public sealed class TrainerTests
{
    internal static readonly ModelSettings Settings = new(Window: 12, HiddenSize: 16, Layers: 2, LearningRate: 0.01, MaxEpochs: 40,
        Patience: 6, BatchSize: 32, MaxStepsPerEpoch: 20_000, ValidationFraction: 0.2, MinHistorySteps: 100,
        FitEvery: TimeSpan.FromHours(1), FitWindowSteps: 1000, Quantiles: [0.05, 0.5, 0.95],
        Features: new FeatureSettings(false, false, false), Fallback: null, FallbackRangeSteps: 60, Seed: 7);

    internal static float[] Sine(int length, double period, double phase, double noise, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length)
            .Select(i => (float)(100 + 20 * Math.Sin(2 * Math.PI * i / period + phase) + noise * (random.NextDouble() - 0.5)))
            .ToArray();
    }

    internal static SequenceSet Data(int[] heads, params float[][] series)
    {
        var data = new SequenceSet(new FeatureLayout(Settings.Features, 60_000), heads, Settings.Window);
        for (int s = 0; s < series.Length; s++)
            data.Add(new SeriesHistory($"s{s}", 0, series[s], 0, Settings.ValidationFraction));
        return data;
    }

    [Fact]
    public void LearnsACycleBetterThanPersistenceWithCalibratedIntervals()
    {
        int[] heads = [1, 4, 8];
        var data = Data(heads, [.. Enumerable.Range(0, 4).Select(s => Sine(800, period: 24, phase: s, noise: 6, seed: s))]);

        var (model, report) = Trainer.Train(data, Settings, "hash", null, CancellationToken.None);
        using (model)
        {
            // Persistence predicts no change at every quantile; its pinball loss is the bar to clear.
            var (persistence, coverage) = ValidationStats(model, data);
            Assert.True(report.ValidationLoss < persistence / 2, $"validation loss {report.ValidationLoss:G4} vs persistence {persistence:G4}");
            // The p05..p95 band should hold about 90% of outcomes; a short training run is allowed some slack.
            Assert.InRange(coverage, 0.75, 0.99);
            Assert.Equal(heads, model.HeadSteps);
            Assert.Equal(4, model.Description.Scalers.Count);
            Assert.Equal("hash", model.Description.ConfigHash);
        }
    }

    [Fact]
    public void CalibratedIntervalsCoverAboutNinetyPercentOfUnseenSeries()
    {
        int[] heads = [1, 4];
        var data = Data(heads, [.. Enumerable.Range(0, 4).Select(s => Sine(800, 24, s, noise: 10, seed: s))]);
        var (model, _) = Trainer.Train(data, Settings with { MaxEpochs = 10 }, "h", null, CancellationToken.None);
        using (model)
        {
            Assert.Equal(2 * heads.Length, model.Description.IntervalScales.Count);
            // Series the model never saw, from the same process with fresh noise.
            var unseen = Data(heads, [.. Enumerable.Range(10, 4).Select(s => Sine(800, 24, s, noise: 10, seed: s))]);
            var (_, coverage) = ValidationStats(model, unseen, model.Description.IntervalScales);
            Assert.InRange(coverage, 0.82, 0.97);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModel()
    {
        var data = Data([1, 3], Sine(300, 24, 0, 1, 1));
        var quick = Settings with { MaxEpochs = 3 };
        var (a, ra) = Trainer.Train(data, quick, "h", null, CancellationToken.None);
        var (b, rb) = Trainer.Train(data, quick, "h", null, CancellationToken.None);
        a.Dispose();
        b.Dispose();
        // libtorch may split reductions across threads differently between runs: equal to float precision.
        Assert.InRange(Math.Abs(ra.ValidationLoss - rb.ValidationLoss), 0, 1e-5 * ra.ValidationLoss);
    }

    [Fact]
    public void ReportsProgressEveryEpochAndStopsEarly()
    {
        var data = Data([1], Sine(400, 24, 0, 1, 1));
        var seen = new List<TrainingProgress>();
        var (model, report) = Trainer.Train(data, Settings with { MaxEpochs = 200, Patience = 2 }, "h", seen.Add, CancellationToken.None);
        model.Dispose();
        Assert.Equal(report.Epochs, seen.Count);
        Assert.Equal(Enumerable.Range(1, seen.Count), seen.Select(p => p.Epoch));
        Assert.True(report.Epochs < 200, "patience 2 should stop well before 200 epochs");
        Assert.Equal(seen.Min(p => p.ValidationLoss), report.ValidationLoss, 6);
    }

    [Fact]
    public void RefusesToTrainWithoutValidationTargets()
    {
        // 12 steps: the training part is shorter than the one-window warm-up.
        var data = Data([1], Sine(12, 24, 0, 0, 1));
        Assert.Throws<InvalidOperationException>(() => Trainer.Train(data, Settings, "h", null, CancellationToken.None));
    }

    /// <summary>Persistence's pinball loss and the model's p05..p95 coverage over the validation lanes.</summary>
    private static (double Persistence, double Coverage) ValidationStats(TrainedModel model, SequenceSet data, IReadOnlyList<float>? scales = null)
    {
        var lanes = data.ValidationLanes();
        int steps = lanes.Max(l => l.Length), heads = data.HeadSteps.Count, q = model.QuantileCount;
        var inputs = new float[lanes.Count * steps * data.Layout.Count];
        var targets = new float[lanes.Count * steps * heads];
        data.FillChunk(lanes, 0, steps, inputs, targets, Enumerable.Repeat(InputLevels.Unknown, lanes.Count).ToArray());
        using var x = TorchSharp.torch.tensor(inputs, [lanes.Count, steps, data.Layout.Count]);
        using var y = model.Network.call(x);
        float[] outputs = y.data<float>().ToArray();
        double loss = 0, covered = 0;
        int count = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            float target = targets[i];
            if (float.IsNaN(target))
                continue;
            count++;
            foreach (double level in model.Description.Quantiles)
                loss += Math.Max(level * target, (level - 1) * target);
            int head = i % heads;
            float median = outputs[i * q + model.MedianIndex];
            float lower = median + (scales?[head * 2] ?? 1) * (outputs[i * q] - median);
            float upper = median + (scales?[head * 2 + 1] ?? 1) * (outputs[i * q + q - 1] - median);
            if (target >= lower && target <= upper)
                covered++;
        }
        return (loss / (count * q), covered / count);
    }
}
