using System.Diagnostics;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Pipeline;

[Collection(nameof(TorchRandomCollection))]
public sealed class StepPartTimesTests
{
    [Fact]
    public void EveryPartOfTheStepsIsTimedAndTheyAddUpToNoMoreThanTheSteps()
    {
        // bench inference prints the step's parts per series (issue 19): each must have been timed, count
        // every series of every step once, and together take no longer than the steps did.
        using var target = new SteppedTarget(6);
        var parts = target.Pipeline.PartTimes;
        target.Step(); // the first step restarts every series from its window; the parts count from here
        parts.Reset();
        Assert.Equal(0, parts.SeriesSteps);
        Assert.Equal(TimeSpan.Zero, parts.Planning + parts.Forward + parts.Outputs + parts.Inputs + parts.Take);
        TimeSpan stepping = TimeSpan.Zero;
        for (int i = 0; i < 20; i++)
        {
            target.Write();
            long started = Stopwatch.GetTimestamp();
            target.Pipeline.Process();
            stepping += Stopwatch.GetElapsedTime(started);
        }
        Assert.Equal(6 * 20, parts.SeriesSteps);
        Assert.All(new[] { parts.Take, parts.Planning, parts.Inputs, parts.Forward, parts.Outputs }, part => Assert.True(part > TimeSpan.Zero));
        Assert.True(parts.Take + parts.Planning + parts.Inputs + parts.Forward + parts.Outputs <= stepping,
            $"{parts.PerSeriesStep()} against {stepping.TotalNanoseconds / parts.SeriesSteps:F1} ns a series-step in all");
        Assert.Matches(@"^take=\d+\.\d planning=\d+\.\d inputs=\d+\.\d forward=\d+\.\d outputs=\d+\.\d$", parts.PerSeriesStep());
    }
}
