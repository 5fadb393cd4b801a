using System.Globalization;
using Sidecar.Backtest;
using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Backtest;

/// <summary>The <c>backtest</c> command end to end, on small synthetic CSV files and a small model.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class BacktestCommandTests : IDisposable
{
    private const int Rows = 3 * 288;
    private const int ChangedFrom = 700;
    private readonly string _directory = Directory.CreateTempSubdirectory("backtest-").FullName;

    private string WriteCsv(string name, Func<int, double> value, int steppedBackAt = -1, int steppedBackRows = 0)
    {
        string path = Path.Combine(_directory, name);
        var start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        string Line(int i, double v) => start.AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "," + v.ToString("R", CultureInfo.InvariantCulture);
        var lines = new List<string> { "timestamp,value" };
        for (int i = 0; i < Rows; i++)
        {
            lines.Add(Line(i, value(i)));
            // As in NAB's machine_temperature file: the clock steps back an hour and repeats rows.
            if (i == steppedBackAt)
            {
                for (int r = 0; r < steppedBackRows; r++)
                    lines.Add(Line(i - 12 + r, value(i - 12 + r) + 500));
            }
        }
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Config() => SmallBacktestModel.Write(_directory);

    private static BacktestOptions Options(params string[] args) => new CommandLineDefinition().ParseBacktestOptions(args);

    private static double Cycle(int i) => 50 + 20 * Math.Sin(2 * Math.PI * i / 288) + (i * 7919 % 13) / 13.0;

    private string[] Run(string input, string outputName)
    {
        string output = Path.Combine(_directory, outputName);
        int code = BacktestCommand.Run(Options("--config", Config(), "--horizons", "5m,1h", "--seed", "3", "--output-dir", output, input));
        Assert.Equal(0, code);
        return File.ReadAllLines(Path.Combine(output, Path.GetFileName(input)));
    }

    [Fact]
    public void WritesOneRowPerInputWithForecastsOnceTrained()
    {
        string[] lines = Run(WriteCsv("cycle.csv", Cycle), "out");
        Assert.Equal("timestamp,value,predicted,anomaly_score,anomaly_surprise,anomaly_novelty,forecast_5m,lower_5m,upper_5m,forecast_1h,lower_1h,upper_1h", lines[0]);
        Assert.Equal(Rows + 1, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Equal(12, l.Split(',').Length));
        // No forecast before a day of history; forecasts after the first training.
        Assert.Equal("", lines[100].Split(',')[6]);
        var late = lines[^1].Split(',').Skip(1).Select(c => c.Length == 0 ? double.NaN : double.Parse(c, CultureInfo.InvariantCulture)).ToArray();
        Assert.All(late[1..], v => Assert.False(double.IsNaN(v)));
        Assert.True(late[6] <= late[5] && late[5] <= late[7], "median within its interval");
        Assert.InRange(late[8], 20, 80);
        Assert.True(late[4] >= 0, "novelty is never negative");
    }

    [Fact]
    public void ChangingTheFutureChangesNoEarlierOutput()
    {
        string[] original = Run(WriteCsv("a.csv", Cycle), "out-a");
        // Same history up to ChangedFrom, then a different future.
        string[] changed = Run(WriteCsv("b.csv", i => i < ChangedFrom ? Cycle(i) : Cycle(i) + 1000), "out-b");
        // Row r (1-based after the header) is input row r - 1: everything before the change is identical.
        Assert.Equal(original[..(ChangedFrom + 1)], changed[..(ChangedFrom + 1)]);
        Assert.NotEqual(original[ChangedFrom + 1], changed[ChangedFrom + 1]);
    }

    [Fact]
    public void TheSameSeedGivesTheSameOutput()
    {
        string input = WriteCsv("same.csv", Cycle);
        Assert.Equal(Run(input, "out-1"), Run(input, "out-2"));
    }

    [Fact]
    public void FilesReplayedInWorkerProcessesGiveWhatTheyGiveOneAtATime()
    {
        string[] inputs =
        [
            WriteCsv("p1.csv", Cycle),
            WriteCsv("p2.csv", i => 3 * Cycle(i) + 10),
            WriteCsv("p3.csv", i => 100 - Cycle(i) + (i % 50)),
        ];
        string RunWith(string jobs, string outputName)
        {
            string output = Path.Combine(_directory, outputName);
            var report = new StringWriter();
            var console = Console.Out;
            Console.SetOut(report);
            try
            {
                Assert.Equal(0, BacktestCommand.Run(Options(["--config", Config(), "--horizons", "5m,1h", "--seed", "3", "--jobs", jobs, "--output-dir", output, .. inputs])));
            }
            finally
            {
                Console.SetOut(console);
            }
            return report.ToString();
        }
        string serial = RunWith("1", "out-serial"), parallel = RunWith("3", "out-parallel");
        // The same report, files in the order given, and the means over all three; the same output rows.
        Assert.Equal(serial, parallel);
        Assert.Contains("== mean over 3 files", serial);
        Assert.True(serial.IndexOf("p1.csv", StringComparison.Ordinal) < serial.IndexOf("p2.csv", StringComparison.Ordinal)
            && serial.IndexOf("p2.csv", StringComparison.Ordinal) < serial.IndexOf("p3.csv", StringComparison.Ordinal), serial);
        foreach (string input in inputs)
        {
            string name = Path.GetFileName(input);
            Assert.Equal(File.ReadAllLines(Path.Combine(_directory, "out-serial", name)), File.ReadAllLines(Path.Combine(_directory, "out-parallel", name)));
        }
    }

    [Fact]
    public void RowsThatStepBackInTimeAreDroppedAndKeepTheirOutputRows()
    {
        const int At = 600, Back = 11;
        string[] clean = Run(WriteCsv("clean.csv", Cycle), "out-clean");
        string[] stepped = Run(WriteCsv("stepped.csv", Cycle, At, Back), "out-stepped");
        Assert.Equal(clean.Length + Back, stepped.Length);
        // The dropped rows carry their value and empty cells; every other row is as if they were never there.
        var dropped = stepped.Skip(At + 2).Take(Back).ToArray();
        Assert.All(dropped, l => Assert.Matches(@"^[^,]+,[^,]+(,)+$", l));
        string[] kept = [.. stepped.Take(At + 2), .. stepped.Skip(At + 2 + Back)];
        Assert.Equal(clean, kept);
    }

    [Fact]
    public void ABadFileIsReportedAndTheFilesAfterItStillRun()
    {
        string bad = Path.Combine(_directory, "bad-first.csv");
        File.WriteAllText(bad, "timestamp,value\n2026-01-01 00:00:00,1\nnot-a-time,2\n");
        string good = WriteCsv("good-after.csv", Cycle);
        string output = Path.Combine(_directory, "out-mixed");
        Assert.Equal(1, BacktestCommand.Run(Options("--config", Config(), "--horizons", "5m,1h", "--seed", "3", "--output-dir", output, bad, good)));
        Assert.Equal(Rows + 1, File.ReadAllLines(Path.Combine(output, "good-after.csv")).Length);
    }

    [Fact]
    public void TheFittedHoltWintersIsScoredBesideTheOtherModels()
    {
        string input = WriteCsv("fitted.csv", Cycle);
        var csv = CsvSeries.Read(input);
        var settings = BacktestSettings.For(Options("--config", Config(), "--horizons", "5m,1h", "--seed", "3", input), csv);
        var accuracy = new BacktestRun(settings, csv, TimeSpan.FromHours(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Run(null);
        int fitted = accuracy.Models.ToList().IndexOf(RefittedHoltWinters.ModelName);
        int naive = accuracy.Models.ToList().IndexOf("seasonal_naive");
        Assert.True(fitted > 0, string.Join(", ", accuracy.Models));
        for (int h = 0; h < accuracy.HorizonSteps.Length; h++)
        {
            var summary = accuracy.Summarise(fitted, h);
            Assert.True(summary.Count > 0);
            // A clean daily cycle with a little noise: a fitted Holt-Winters beats repeating yesterday.
            Assert.True(summary.MeanAbsoluteError < accuracy.Summarise(naive, h).MeanAbsoluteError,
                $"horizon {accuracy.HorizonSteps[h]}: fitted {summary.MeanAbsoluteError}, seasonal naive {accuracy.Summarise(naive, h).MeanAbsoluteError}");
        }
    }

    [Fact]
    public void CombinationsAreScoredOnTheSameOutcomesAsTheirMembers()
    {
        string input = WriteCsv("combined.csv", Cycle);
        var csv = CsvSeries.Read(input);
        var settings = BacktestSettings.For(Options("--config", Config(), "--horizons", "5m,1h", "--seed", "3", input), csv);
        var accuracy = new BacktestRun(settings, csv, TimeSpan.FromHours(1), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance).Run(null);
        var models = accuracy.Models.ToList();
        foreach (var (name, members, _) in BacktestRun.Combinations)
        {
            int combined = models.IndexOf(name);
            Assert.True(combined > 0, string.Join(", ", models));
            for (int h = 0; h < accuracy.HorizonSteps.Length; h++)
            {
                var summary = accuracy.Summarise(combined, h);
                var memberSummaries = members.Select(m => accuracy.Summarise(models.IndexOf(m), h)).ToList();
                Assert.True(summary.Count > 0);
                Assert.All(memberSummaries, m => Assert.Equal(m.Count, summary.Count));
                // At each outcome a weighted mean of the members' forecasts is no further off than the worst of
                // them; on this clean cycle that keeps its MAE at or below the worse member's.
                Assert.True(summary.MeanAbsoluteError <= memberSummaries.Max(m => m.MeanAbsoluteError),
                    $"{name} at {accuracy.HorizonSteps[h]}: {summary.MeanAbsoluteError} against {string.Join(", ", memberSummaries.Select(m => m.MeanAbsoluteError))}");
            }
        }
    }

    [Fact]
    public async Task ReportsBadInputClearly()
    {
        string bad = Path.Combine(_directory, "bad.csv");
        File.WriteAllText(bad, "timestamp,value\n2026-01-01 00:00:00,1\nnot-a-time,2\n");
        Assert.Equal(1, await Backtest(bad));
        Assert.Equal(2, await Backtest("--bogus", bad));
        Assert.Equal(2, await Backtest());
    }

    private static Task<int> Backtest(params string[] args) => new CommandLineDefinition().InvokeAsync(["backtest", .. args], TextWriter.Null, TextWriter.Null);

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
