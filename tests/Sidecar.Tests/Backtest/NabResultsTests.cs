using Sidecar.Backtest;

namespace Sidecar.Tests.Backtest;

public sealed class NabResultsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nab-results-").FullName;

    [Fact]
    public void WritesNabsLayoutWithScoresInZeroToOneAndWindowLabels()
    {
        string windows = Path.Combine(_directory, "windows.json");
        File.WriteAllText(windows, """{"realMade/up.csv": [["2020-01-01 00:10:00.000000", "2020-01-01 00:20:00.000000"]]}""");
        string data = Path.Combine(_directory, "realMade", "up.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(data)!);
        File.WriteAllText(data, "timestamp,value\n2020-01-01 00:05:00,1\n2020-01-01 00:10:00,2\n2020-01-01 00:15:00,3\n2020-01-01 00:25:00,4\n");
        var csv = CsvSeries.Read(data);

        NabResults.Load(Path.Combine(_directory, "results"), windows).Write(data, csv, [double.NaN, 0, 1, 3]);

        string[] lines = File.ReadAllLines(Path.Combine(_directory, "results", NabResults.Detector, "realMade", $"{NabResults.Detector}_up.csv"));
        Assert.Equal(
        [
            "timestamp,value,anomaly_score,label",
            "2020-01-01 00:05:00,1,0,0",
            "2020-01-01 00:10:00,2,0,1",
            "2020-01-01 00:15:00,3,0.5,1",
            "2020-01-01 00:25:00,4,0.75,0",
        ], lines);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
