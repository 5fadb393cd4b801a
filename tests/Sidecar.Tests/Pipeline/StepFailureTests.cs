using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

[Collection(nameof(TorchRandomCollection))]
public sealed class StepFailureTests
{
    [Fact]
    public void AStepThatFailsHalfWayLeavesNoSeriesOutOfTheStepsAfter()
    {
        // A subscriber to anomaly transitions that throws makes the step fail in the middle of its series:
        // those it had not reached yet must still be stepped after it, like every other series.
        bool failing = true;
        using var target = new SteppedTarget(24, configure: pipeline => pipeline.AnomalyChanged += _ =>
        {
            if (failing)
                throw new InvalidOperationException("a failing subscriber");
        });
        bool failed = false;
        for (int i = 0; i < 300 && !failed; i++)
        {
            try
            {
                target.Step();
            }
            catch (InvalidOperationException)
            {
                failed = true;
            }
        }
        Assert.True(failed, "no anomaly transition in 300 steps");
        failing = false;
        target.Step();
        target.Step();
        long newest = target.Forecasts().Max(f => f.Step);
        Assert.All(target.Forecasts(), f => Assert.Equal(newest, f.Step));
    }
}
