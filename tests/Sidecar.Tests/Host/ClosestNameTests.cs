using Sidecar.Host;

namespace Sidecar.Tests.Host;

public sealed class ClosestNameTests
{
    private static readonly string[] Flags = ["--config.file", "--web.listen-address", "--web.config.file", "--storage.path", "--log.level"];

    [Theory]
    [InlineData("--web.listen-adress", "--web.listen-address")]
    [InlineData("--web.listen.address", "--web.listen-address")]
    [InlineData("--storage-path", "--storage.path")]
    [InlineData("--config", "--config.file")]
    [InlineData("--log.levle", "--log.level")]
    [InlineData("--web.config.fil", "--web.config.file")]
    public void FindsTheFlagMeant(string typed, string meant) => Assert.Equal(meant, ClosestName.Find(typed, Flags));

    [Theory]
    [InlineData("--nope")]
    [InlineData("--retention.time")]
    public void SuggestsNothingForANameUnlikeAnyOther(string typed) => Assert.Null(ClosestName.Find(typed, Flags));

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("step", "step", 0)]
    [InlineData("stepp", "step", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void CountsSingleCharacterEdits(string a, string b, int distance)
    {
        Assert.Equal(distance, ClosestName.EditDistance(a, b));
        Assert.Equal(distance, ClosestName.EditDistance(b, a));
    }
}
