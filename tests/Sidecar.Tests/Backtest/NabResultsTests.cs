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

        var rows = new RowScores(4);
        double[] novelty = [double.NaN, 0, 1, 3];
        novelty.CopyTo(rows.Novelty, 0);
        rows.Score[3] = 1;
        NabResults.Load(Path.Combine(_directory, "results"), windows).Write(data, csv, rows);

        Assert.Equal(
        [
            "timestamp,value,anomaly_score,label",
            "2020-01-01 00:05:00,1,0,0",
            "2020-01-01 00:10:00,2,0,1",
            "2020-01-01 00:15:00,3,0.5,1",
            "2020-01-01 00:25:00,4,0.75,0",
        ], Lines(NabResults.NoveltyDetector));
        // Each output is a detector of its own; NaN (no score at that row) is written as 0.
        Assert.Equal(["0", "0", "0", "0.5"], Lines(NabResults.ScoreDetector).Skip(1).Select(l => l.Split(',')[2]));
        Assert.Equal(["0", "0", "0", "0"], Lines(NabResults.SurpriseDetector).Skip(1).Select(l => l.Split(',')[2]));
    }

    private string[] Lines(string detector) =>
        File.ReadAllLines(Path.Combine(_directory, "results", detector, "realMade", $"{detector}_up.csv"));

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
