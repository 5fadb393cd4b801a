using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Host;

public sealed class LogThrottleTests
{
    [Fact]
    public void LetsOneLineThroughPerIntervalAndCountsTheRest()
    {
        var time = new ManualTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        var throttle = new LogThrottle(time, TimeSpan.FromMinutes(1));
        Assert.True(throttle.ShouldLog("a", out int suppressed));
        Assert.Equal(0, suppressed);
        for (int i = 0; i < 1000; i++)
            Assert.False(throttle.ShouldLog("a", out _));
        Assert.True(throttle.ShouldLog("b", out _));
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.True(throttle.ShouldLog("a", out suppressed));
        Assert.Equal(1000, suppressed);
    }
}
