using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sidecar.Backtest;
using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Backtest;

/// <summary><c>backtest --together</c>: the files of a directory replayed as the series of one target.</summary>
[Collection(TorchRandomCollection.Name)]
public sealed class BacktestTogetherTests : IDisposable
{
    private const int Rows = 3 * 288;
    private const int ChangedFrom = 700;
    private readonly string _directory = Directory.CreateTempSubdirectory("backtest-together-").FullName;

    private static double Cycle(int i) => 50 + 20 * Math.Sin(2 * Math.PI * i / 288) + (i * 7919 % 13) / 13.0;

    private static double Other(int i) => 200 - 30 * Math.Cos(2 * Math.PI * i / 288) + (i * 104729 % 17) / 3.0;

    /// <param name="startMinutes">When the file's first row is, in minutes after a fixed start.</param>
    private string WriteCsv(string directory, string name, Func<int, double> value, int startMinutes = 0, int stepMinutes = 5)
    {
        string folder = Path.Combine(_directory, directory);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name);
        var start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc).AddMinutes(startMinutes);
        var lines = new List<string> { "timestamp,value" };
        for (int i = 0; i < Rows; i++)
            lines.Add(start.AddMinutes(stepMinutes * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "," + value(i).ToString("R", CultureInfo.InvariantCulture));
        File.WriteAllLines(path, lines);
        return path;
    }

    private string Config() => SmallBacktestModel.Write(_directory);

    private BacktestOptions Options(params string[] args) =>
        new CommandLineDefinition().ParseBacktestOptions(["--config", Config(), "--horizons", "5m,1h", "--seed", "3", .. args]);

    private static ForecastAccuracy[] Replay(BacktestOptions options, params string[] paths)
    {
        var files = paths.Select(CsvSeries.Read).ToArray();
        var settings = BacktestSettings.For(options, files);
        return new BacktestRun(settings, files, TimeSpan.FromHours(1), NullLogger.Instance).RunAll(new TextWriter?[files.Length], new RowScores?[files.Length]);
    }

    [Fact]
    public void TheFilesOfEachDirectoryAreOneTarget()
    {
        string a = WriteCsv("one", "a.csv", Cycle), b = WriteCsv("one", "b.csv", Other), c = WriteCsv("two", "c.csv", Cycle);
        var together = Options("--together", Path.Combine(_directory, "one"), c).Targets;
        Assert.Equal(2, together.Count);
        Assert.Equal([a, b], together[0]);
        Assert.Equal([c], together[1]);
        Assert.Equal(3, Options(Path.Combine(_directory, "one"), c).Targets.Count);
    }

    [Fact]
    public void SeriesShareOneModelAndKeepTheirOwnBaselines()
    {
        // The second file starts six hours later, so the replay merges rows that are not aligned.
        string a = WriteCsv("shared", "a.csv", Cycle), b = WriteCsv("shared", "b.csv", Other, startMinutes: 360);
        var options = Options("--together", a, b);
        var alone = new[] { Replay(options, a)[0], Replay(options, b)[0] };
        var together = Replay(options, a, b);
        var models = together[0].Models.ToList();
        int lstm = models.IndexOf(BacktestRun.LstmModel);
        bool lstmChanged = false;
        for (int file = 0; file < 2; file++)
        {
            for (int h = 0; h < together[file].HorizonSteps.Length; h++)
            {
                // Baselines see only their own series' history, so they score exactly as when the file is alone.
                foreach (string baseline in new[] { "seasonal_naive", "holt_winters", RefittedHoltWinters.ModelName })
                {
                    int m = models.IndexOf(baseline);
                    Assert.Equal(alone[file].Summarise(m, h).MeanAbsoluteError, together[file].Summarise(m, h).MeanAbsoluteError);
                }
                var shared = together[file].Summarise(lstm, h);
                Assert.True(shared.Count > 0, $"file {file} horizon {h}: the shared model forecast nothing");
                lstmChanged |= shared.MeanAbsoluteError != alone[file].Summarise(lstm, h).MeanAbsoluteError;
            }
        }
        // One model trained on both series forecasts differently from a model per file.
        Assert.True(lstmChanged);
    }

    [Fact]
    public void ChangingOneSeriesFutureChangesNoEarlierOutputOfAny()
    {
        string RunPair(string directory, Func<int, double> second)
        {
            WriteCsv(directory, "a.csv", Cycle);
            WriteCsv(directory, "b.csv", second, startMinutes: 360);
            string output = Path.Combine(_directory, directory + "-out");
            Assert.Equal(0, BacktestCommand.Run(Options("--together", "--output-dir", output, Path.Combine(_directory, directory))));
            return output;
        }
        string original = RunPair("future-a", Other);
        string changed = RunPair("future-b", i => i < ChangedFrom ? Other(i) : Other(i) + 1000);
        // b's rows are 72 steps behind a's: a's row r is at the step of b's row r - 72.
        const int Lag = 72;
        string[] aBefore = File.ReadAllLines(Path.Combine(original, "a.csv")), aAfter = File.ReadAllLines(Path.Combine(changed, "a.csv"));
        string[] bBefore = File.ReadAllLines(Path.Combine(original, "b.csv")), bAfter = File.ReadAllLines(Path.Combine(changed, "b.csv"));
        Assert.Equal(bBefore[..(ChangedFrom + 1)], bAfter[..(ChangedFrom + 1)]);
        Assert.NotEqual(bBefore[ChangedFrom + 1], bAfter[ChangedFrom + 1]);
        Assert.Equal(aBefore[..(ChangedFrom + Lag + 1)], aAfter[..(ChangedFrom + Lag + 1)]);
    }

    [Fact]
    public void TargetsReplayedInWorkerProcessesGiveWhatTheyGiveOneAtATime()
    {
        WriteCsv("first", "p1.csv", Cycle);
        WriteCsv("first", "p2.csv", Other, startMinutes: 60);
        WriteCsv("second", "p3.csv", i => 100 - Cycle(i) + (i % 50));
        WriteCsv("second", "p4.csv", i => 3 * Cycle(i) + 10);
        string Report(string jobs)
        {
            var report = new StringWriter();
            var console = Console.Out;
            Console.SetOut(report);
            try
            {
                Assert.Equal(0, BacktestCommand.Run(Options("--together", "--jobs", jobs, Path.Combine(_directory, "first"), Path.Combine(_directory, "second"))));
            }
            finally
            {
                Console.SetOut(console);
            }
            return report.ToString();
        }
        string serial = Report("1");
        Assert.Equal(serial, Report("2"));
        Assert.Contains("p1.csv (864 rows, step 5m, one of 2 series of one target)", serial);
        Assert.Contains("== mean over 4 files", serial);
    }

    [Fact]
    public void FilesWithDifferentStepsNeedAStep()
    {
        string fine = WriteCsv("steps", "five.csv", Cycle), coarse = WriteCsv("steps", "ten.csv", Cycle, stepMinutes: 10);
        var files = new[] { CsvSeries.Read(fine), CsvSeries.Read(coarse) };
        var error = Assert.Throws<ConfigException>(() => BacktestSettings.For(Options("--together", fine, coarse), files));
        Assert.Contains("five.csv: 5m, ten.csv: 10m", error.Message);
        Assert.Contains("give --step", error.Message);
        Assert.Equal(1, BacktestCommand.Run(Options("--together", fine, coarse)));
        Assert.Equal(300_000, BacktestSettings.For(Options("--together", "--step", "5m", fine, coarse), files).Targets[0].StepMs);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
