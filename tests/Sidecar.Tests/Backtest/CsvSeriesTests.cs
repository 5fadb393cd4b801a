using Sidecar.Backtest;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Backtest;

public sealed class CsvSeriesTests
{
    // 2014-02-14 14:30:00 UTC.
    private const long NabStartMs = 1_392_388_200_000;

    private static CsvSeries Parse(string text) => CsvSeries.Read(new StringReader(text), "test.csv");

    private static CsvFormatException ParseFails(string text) => Assert.Throws<CsvFormatException>(() => Parse(text));

    [Fact]
    public void ReadsNabTimestampsAsUtc()
    {
        var series = Parse("timestamp,value\n2014-02-14 14:30:00,0.132\n2014-02-14 14:35:00,-1.5e3\n");
        Assert.Equal([NabStartMs, NabStartMs + 300_000], series.TimestampsMs);
        Assert.Equal([0.132f, -1500f], series.Values);
        Assert.Equal(300_000, series.StepMs);
    }

    [Fact]
    public void ReadsIso8601WithOrWithoutZoneAndFraction()
    {
        var series = Parse("timestamp,value\n2014-02-14T14:30:00Z,1\n2014-02-14T16:31:00.250+02:00,2\n2014-02-14T14:32,3\n");
        Assert.Equal([NabStartMs, NabStartMs + 60_250, NabStartMs + 120_000], series.TimestampsMs);
    }

    [Fact]
    public void ReadsUnixSecondsIntegerOrFractional()
    {
        var series = Parse("timestamp,value\n1392388200,1\n1392388260.5,2\n1392388320.0004,3\n");
        Assert.Equal([NabStartMs, NabStartMs + 60_500, NabStartMs + 120_000], series.TimestampsMs);
    }

    [Fact]
    public void FindsColumnsByNameAndToleratesQuotesBlankLinesAndCrLf()
    {
        var series = Parse("\r\n\"Value\", host ,\"timestamp\"\r\n7,a,1392388200\r\n\r\n\"8.5\",b,\"1392388260\"\r\n");
        Assert.Equal([NabStartMs, NabStartMs + 60_000], series.TimestampsMs);
        Assert.Equal([7f, 8.5f], series.Values);
    }

    [Fact]
    public void AnEmptyOrNaNValueIsAGap()
    {
        var series = Parse("timestamp,value\n1392388200,\n1392388260,NaN\n1392388320,3\n");
        Assert.True(float.IsNaN(series.Values[0]));
        Assert.True(float.IsNaN(series.Values[1]));
        Assert.Equal(3f, series.Values[2]);
    }

    [Fact]
    public void TheStepIsTheMedianSpacingIgnoringRepeatedTimestamps()
    {
        // Spacings 60, 60, 120, 60, 300 (sorted 60, 60, 60, 120, 300): median 60 s, whatever the outliers.
        Assert.Equal(60_000, Parse("timestamp,value\n0,1\n60,1\n120,1\n240,1\n300,1\n600,1\n").StepMs);
        // Spacings 60, 120, 180, 240 and a repeat, which is no spacing: the lower middle one, 120 s.
        Assert.Equal(120_000, Parse("timestamp,value\n0,1\n60,1\n180,1\n180,2\n360,1\n600,1\n").StepMs);
    }

    [Fact]
    public void ARowEarlierThanOneBeforeItIsDroppedAndCountedNotFatal()
    {
        // NAB's machine_temperature_system_failure.csv: 02:55 is followed by 02:00, then the hour repeats.
        var series = Parse("timestamp,value\n2014-01-07 02:45:00,93.9\n2014-01-07 02:50:00,93.4\n2014-01-07 02:55:00,92.8\n"
            + "2014-01-07 02:00:00,94.1\n2014-01-07 02:05:00,94.2\n2014-01-07 02:55:00,92.9\n2014-01-07 03:00:00,92.7\n");
        Assert.Equal(7, series.Values.Length);
        Assert.Equal([false, false, false, true, true, false, false], Enumerable.Range(0, 7).Select(series.IsDropped));
        Assert.Equal(2, series.DroppedRows);
        Assert.Equal(5, series.FirstDroppedLine);
        Assert.Equal(300_000, series.StepMs);
        Assert.Equal(series.TimestampsMs[6], series.LastTimestampMs);
        Assert.Contains("test.csv", series.DroppedWarning);
        Assert.Contains("dropped 2 row(s)", series.DroppedWarning);
        Assert.Contains("line 5", series.DroppedWarning);
    }

    [Fact]
    public void AFileInOrderDropsNothing()
    {
        var series = Parse("timestamp,value\n0,1\n60,2\n60,3\n120,4\n");
        Assert.Equal(0, series.DroppedRows);
        Assert.Null(series.DroppedWarning);
    }

    [Theory]
    [InlineData("", 1, "empty")]
    [InlineData("time,value\n1,2\n", 1, "timestamp and value")]
    [InlineData("timestamp,value\n1392388200,1\n2014-02-30 00:00:00,2\n", 3, "'2014-02-30 00:00:00' is not a timestamp")]
    [InlineData("timestamp,value\n1392388200,1\n\n1392388260,1,5\n1392388320,abc\n", 5, "'abc' is not a number")]
    [InlineData("timestamp,value\n1392388200,1\n1392388260\n", 3, "expected at least 2 fields, found 1")]
    [InlineData("timestamp,value\n1392388200,1\n", 2, "step")]
    [InlineData("timestamp,value\n1392388200,1\n1392388200,2\n", 3, "step")]
    [InlineData("timestamp,value\n1392388260,1\n1392388200,1\n", 3, "step")]
    [InlineData("timestamp,value\n1392388200000,1\n1392388260000,1\n", 2, "not a timestamp")]
    public void ErrorsNameTheFileAndLine(string text, int line, string reason)
    {
        var error = ParseFails(text);
        Assert.Equal("test.csv", error.FileName);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"backtest CSV test.csv, line {line}: ", error.Message);
        Assert.Contains(reason, error.Message);
    }

    // Rows of our own in the layout of NAB's realAWSCloudwatch files (NAB data stays out of the repository,
    // and a clean clone has no ../shared beside it).
    [Fact]
    public void ReadsTheNabLayout()
    {
        const string excerpt = "timestamp,value\n2014-02-14 14:30:00,0.25\n2014-02-14 14:35:00,0.5\n2014-02-14 14:40:00,0.5\n";
        var series = CsvSeries.Read(new StringReader(excerpt), "ec2_cpu_utilization_24ae8d.csv");
        Assert.Equal([NabStartMs, NabStartMs + 300_000, NabStartMs + 600_000], series.TimestampsMs);
        Assert.Equal(300_000, series.StepMs);
        Assert.Equal([0.25f, 0.5f, 0.5f], series.Values);
    }

    [Fact]
    public void ReadsANabFileThatRepeatsTimestamps()
    {
        // ec2_disk_write_bytes_1ef3de.csv repeats 03:00:00 at the 2014 daylight-saving change.
        const string excerpt = "timestamp,value\n2014-03-09 02:50:00,0.0\n2014-03-09 02:55:00,0.0\n2014-03-09 03:00:00,0.0\n"
            + "2014-03-09 03:00:00,0.0\n2014-03-09 03:00:00,0.0\n2014-03-09 03:05:00,0.0\n";
        var series = CsvSeries.Read(new StringReader(excerpt), "ec2_disk_write_bytes_1ef3de.csv");
        Assert.Equal(6, series.TimestampsMs.Length);
        Assert.Equal(300_000, series.StepMs);
        Assert.Contains(series.TimestampsMs.Zip(series.TimestampsMs.Skip(1)), p => p.First == p.Second);
    }
}
