using Sidecar.Bench;

namespace Sidecar.Tests.Bench;

/// <summary><c>bench churn</c> on a small fleet: the run it reports shows what forgetting changes.</summary>
public sealed class SeriesChurnTests
{
    [Fact]
    public void AChurningFleetStaysBoundedWithForgettingAndFillsMaxSeriesWithout()
    {
        const int Pods = 20, Generations = 10;
        var stable = SeriesChurn.Simulate("stable", Pods, Generations, generationHours: 6, churn: false, forgetAfter: null);
        var forgetting = SeriesChurn.Simulate("forgetting", Pods, Generations, generationHours: 6, churn: true, forgetAfter: null);
        var keeping = SeriesChurn.Simulate("keeping", Pods, Generations, generationHours: 6, churn: true, forgetAfter: "3650d");
        Assert.Equal(Pods, stable.Series);
        // A generation lives 6 h and is forgotten a day (the history) after its last sample: five are held.
        Assert.Equal(5 * Pods, forgetting.Series);
        Assert.Equal(0, forgetting.Refused);
        Assert.Equal(6 * Pods, keeping.Series);
        Assert.True(keeping.Refused > 0);
        Assert.True(forgetting.SnapshotBytes < keeping.SnapshotBytes);
    }
}
