using Sidecar.Host;
using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class TrainerTests
{
    private static readonly ModelSettings Settings = new(Window: 12, HiddenSize: 16, Layers: 1, LearningRate: 0.01, MaxEpochs: 40,
        Patience: 8, BatchSize: 64, MaxSamplesPerEpoch: 4096, ValidationFraction: 0.2, MinHistorySteps: 100,
        RetrainEvery: TimeSpan.FromHours(1), TrainWindowSteps: 1000, Seed: 7);

    private static float[] Sine(int length, double period, double phase, double noise, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length)
            .Select(i => (float)(100 + 20 * Math.Sin(2 * Math.PI * i / period + phase) + noise * (random.NextDouble() - 0.5)))
            .ToArray();
    }

    [Fact]
    public void LearnsACycleBetterThanPersistence()
    {
        int[] heads = [1, 4, 8];
        var data = new TrainingSet(Settings.Window, heads);
        for (int s = 0; s < 4; s++)
            data.AddSeries(s, Sine(600, period: 24, phase: s, noise: 1, seed: s), Settings.ValidationFraction);

        var (model, report) = Trainer.Train(data, Settings, CancellationToken.None);
        using (model)
        {
            // Targets are changes from the last input, so predicting zero is the persistence forecast.
            float[] targets = data.ValidationTargets;
            double persistence = targets.Average(t => (double)t * t);
            Assert.True(report.ValidationLoss < persistence / 4,
                $"validation MSE {report.ValidationLoss:G4} vs persistence {persistence:G4}");
            Assert.Equal(heads, model.HeadSteps);
            Assert.Equal(4, model.Scalers.Count);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModel()
    {
        var data = new TrainingSet(Settings.Window, [1, 3]);
        data.AddSeries(0, Sine(300, 24, 0, 1, 1), Settings.ValidationFraction);
        var quick = Settings with { MaxEpochs = 3 };
        var (a, ra) = Trainer.Train(data, quick, CancellationToken.None);
        var (b, rb) = Trainer.Train(data, quick, CancellationToken.None);
        a.Dispose();
        b.Dispose();
        // libtorch may split reductions across threads differently between runs: equal to float precision.
        Assert.InRange(Math.Abs(ra.ValidationLoss - rb.ValidationLoss), 0, 1e-6 * ra.ValidationLoss);
    }

    [Fact]
    public void RefusesToTrainWithoutValidationExamples()
    {
        var data = new TrainingSet(Settings.Window, [1]);
        data.AddSeries(0, Sine(20, 24, 0, 0, 1), Settings.ValidationFraction);
        Assert.Throws<InvalidOperationException>(() => Trainer.Train(data, Settings, CancellationToken.None));
    }
}
