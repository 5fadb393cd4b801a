using System.Text.Json;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.EndToEnd;

public sealed class DashboardTests
{
    public static TheoryData<string> Dashboards => new(Directory.GetFiles(RepositoryRoot.File("dashboards"), "*.json").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Dashboards))]
    public void UsesADatasourceVariableAndStablePanelIds(string file)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(RepositoryRoot.File("dashboards", file)));
        var root = json.RootElement;
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(),
            v => v.GetProperty("type").GetString() == "datasource");
        var ids = root.GetProperty("panels").EnumerateArray().Select(p => p.GetProperty("id").GetInt32()).ToArray();
        Assert.Equal(ids.Length, ids.Distinct().Count());
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            Assert.All(panel.GetProperty("targets").EnumerateArray(), t => Assert.False(string.IsNullOrWhiteSpace(t.GetProperty("expr").GetString())));
        }
    }
}
