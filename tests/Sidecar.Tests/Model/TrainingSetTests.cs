using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class TrainingSetTests
{
    [Fact]
    public void SplitsChronologicallyAndFitsTheScalerOnTheTrainingPartOnly()
    {
        float[] history = Enumerable.Range(0, 100).Select(i => (float)i).ToArray();
        var data = new TrainingSet(window: 5, headSteps: [1, 3]);
        data.AddSeries(0, history, validationFraction: 0.2);

        // The training part is steps 0..79: its scaler must not know the validation period's values.
        Assert.Equal(new MinMaxScaler(0, 79), data.Scalers[0]);
        // Training examples end by step 79; validation ones start at 80 (window 5 + horizon 3 = 8 steps each).
        Assert.Equal(80 - 8 + 1, data.TrainCount);
        Assert.Equal(20 - 8 + 1, data.ValidationCount);
        Assert.Equal(0, data.TrainInputs[0]);
        Assert.Equal(80 / 79f, data.ValidationInputs[0], 5);

        // Targets are scaled changes from the last input: +1 and +3 steps of a unit ramp.
        Assert.Equal(1 / 79f, data.TrainTargets[0], 5);
        Assert.Equal(3 / 79f, data.TrainTargets[1], 5);
    }

    [Fact]
    public void ChangingTheValidationPeriodLeavesTheTrainingPartUntouched()
    {
        float[] a = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i / 3.0)).ToArray();
        float[] b = (float[])a.Clone();
        for (int i = 80; i < 100; i++)
            b[i] = 1000;
        var left = new TrainingSet(5, [1]);
        var right = new TrainingSet(5, [1]);
        left.AddSeries(0, a, 0.2);
        right.AddSeries(0, b, 0.2);
        Assert.Equal(left.Scalers[0], right.Scalers[0]);
        Assert.Equal(left.TrainInputs, right.TrainInputs);
        Assert.Equal(left.TrainTargets, right.TrainTargets);
    }

    [Fact]
    public void SkipsExamplesThatTouchAGap()
    {
        float[] history = Enumerable.Range(0, 50).Select(i => (float)i).ToArray();
        history[10] = float.NaN;
        var data = new TrainingSet(4, [1]);
        data.AddSeries(0, history, 0.2);
        // Without the gap: 40 - 5 + 1 = 36 training examples; the gap at 10 spoils the 5 that read it.
        Assert.Equal(36 - 5, data.TrainCount);
        Assert.DoesNotContain(data.TrainInputs, float.IsNaN);
        Assert.DoesNotContain(data.TrainTargets, float.IsNaN);
    }
}
