using Sidecar.Host;

namespace Sidecar.Tests.Host;

public sealed class PromDurationTests
{
    [Theory]
    [InlineData("15s", 15_000)]
    [InlineData("500ms", 500)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("1m1ms", 60_001)]
    [InlineData("1y", 31_536_000_000)]
    public void Parses(string text, long milliseconds)
    {
        Assert.True(PromDuration.TryParse(text, out TimeSpan duration));
        Assert.Equal(milliseconds, (long)duration.TotalMilliseconds);
        Assert.Equal(duration, PromDuration.TryParse(PromDuration.Format(duration), out TimeSpan again) ? again : TimeSpan.MinValue);
    }

    [Theory]
    [InlineData("")]
    [InlineData("15")]
    [InlineData("s")]
    [InlineData("1m1h")]
    [InlineData("1h1h")]
    [InlineData("-1s")]
    [InlineData("1.5h")]
    [InlineData("99999999999999999999y")]
    public void Rejects(string text) => Assert.False(PromDuration.TryParse(text, out _));
}
