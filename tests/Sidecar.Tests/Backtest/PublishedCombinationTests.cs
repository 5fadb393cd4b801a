using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Sidecar.Backtest;
using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Backtest;

/// <summary>
/// <c>model.combine: holt_winters</c> through the serving code: the training thread fits a Holt-Winters per
/// series, the pipeline publishes the combined median, and <c>backtest</c> scores it as <c>published</c>.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public sealed class PublishedCombinationTests : IDisposable
{
    private const int Rows = 4 * 288;
    private readonly string _directory = Directory.CreateTempSubdirectory("published-combination-").FullName;

    private string Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Series()
    {
        var start = new DateTime(2026, 1, 5, 0, 0, 0, DateTimeKind.Utc);
        var lines = new List<string> { "timestamp,value" };
        for (int i = 0; i < Rows; i++)
        {
            double value = 50 + 20 * Math.Sin(2 * Math.PI * i / 288) + (i * 7919 % 13) / 13.0 + 0.002 * i;
            lines.Add(start.AddMinutes(5 * i).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "," + value.ToString("R", CultureInfo.InvariantCulture));
        }
        return Write("cycle.csv", string.Join('\n', lines));
    }

    private ForecastAccuracy Replay(string combine)
    {
        string config = SmallBacktestModel.Write(_directory, $"{combine}.yml", $"combine: {combine}");
        string input = Series();
        var csv = CsvSeries.Read(input);
        var options = new CommandLineDefinition().ParseBacktestOptions(["--config", config, "--horizons", "5m,1h", "--seed", "3", input]);
        return new BacktestRun(BacktestSettings.For(options, csv), csv, TimeSpan.FromHours(1), NullLogger.Instance).Run(null);
    }

    [Fact]
    public void ThePublishedForecastIsTheCombinationOfTheLstmAndTheFittedHoltWinters()
    {
        var accuracy = Replay("holt_winters");
        var models = accuracy.Models.ToList();
        int published = models.IndexOf(ReplayedSeries.PublishedModel), lstm = models.IndexOf(BacktestRun.LstmModel);
        int fitted = models.IndexOf(RefittedHoltWinters.ModelName), offline = models.IndexOf(BacktestRun.Combinations.Single(c => c.Weighting == BacktestRun.CombinationWeighting.BestMix).Name);
        Assert.True(published > 0, string.Join(", ", models));
        for (int h = 0; h < accuracy.HorizonSteps.Length; h++)
        {
            var served = accuracy.Summarise(published, h);
            var alone = accuracy.Summarise(lstm, h);
            var classical = accuracy.Summarise(fitted, h);
            Assert.Equal(alone.Count, served.Count);
            Assert.True(served.Count > 200, $"{served.Count} outcomes");
            // Combined: not the LSTM's own median, and no worse than the worse member.
            Assert.NotEqual(alone.MeanAbsoluteError, served.MeanAbsoluteError);
            Assert.True(served.MeanAbsoluteError <= Math.Max(alone.MeanAbsoluteError, classical.MeanAbsoluteError),
                $"horizon {h}: published {served.MeanAbsoluteError}, lstm {alone.MeanAbsoluteError}, holt_winters_fitted {classical.MeanAbsoluteError}");
            // The serving path's mix does what backtest's offline one (a trailing day instead of exponential weights) does, within a tenth.
            double reference = accuracy.Summarise(offline, h).MeanAbsoluteError;
            Assert.InRange(served.MeanAbsoluteError / reference, 0.9, 1.1);
            // The band moves with the combined median and is calibrated as before.
            Assert.True(alone.IntervalCount > 0);
        }
    }

    [Fact]
    public void WithoutCombineNothingIsPublishedBesideTheLstm()
    {
        var accuracy = Replay("none");
        Assert.DoesNotContain(ReplayedSeries.PublishedModel, accuracy.Models);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
