using System.Globalization;

namespace Sidecar.Backtest;

/// <summary>
/// One series read from a CSV file with a <c>timestamp,value</c> header (the NAB layout), the input of
/// the <c>backtest</c> command. Columns are found by name, in any order, among others that are ignored;
/// fields are plain (no quoted commas). Values are held as float, as the store holds them, and an empty
/// value or <c>NaN</c> is a gap. A row earlier than the newest row before it is out of order: like
/// Prometheus with an out-of-order sample, the replay drops it (NAB's
/// <c>machine_temperature_system_failure.csv</c> steps back an hour and repeats it). It stays in
/// <see cref="TimestampsMs"/> and <see cref="Values"/>, so every output keeps one row per input row, and
/// <see cref="IsDropped"/> marks it. Rows with the same timestamp as the newest are kept (NAB's
/// <c>ec2_disk_write_bytes_1ef3de.csv</c> repeats one at a daylight-saving change): the replay hands them
/// to the store, which resolves them as it resolves a re-sent remote-write sample.
/// </summary>
internal sealed class CsvSeries
{
    private readonly bool[] _dropped;

    private CsvSeries(string source, long[] timestampsMs, float[] values, bool[] dropped, long stepMs, int firstDroppedLine)
    {
        Source = source;
        TimestampsMs = timestampsMs;
        Values = values;
        _dropped = dropped;
        StepMs = stepMs;
        FirstDroppedLine = firstDroppedLine;
        DroppedRows = dropped.Count(d => d);
    }

    /// <summary>The file path, or the name given for a reader.</summary>
    public string Source { get; }

    /// <summary>Unix milliseconds, in file order: never decreasing, except at rows that are <see cref="IsDropped"/>.</summary>
    public long[] TimestampsMs { get; }

    /// <summary>One value per timestamp; NaN for a gap.</summary>
    public float[] Values { get; }

    /// <summary>
    /// The median spacing between consecutive rows with different timestamps (the lower middle one for an
    /// even count, so it is a spacing that occurs): robust to the odd missing row, which a mean is not.
    /// </summary>
    public long StepMs { get; }

    /// <summary>How many rows went back in time and are dropped.</summary>
    public int DroppedRows { get; }

    /// <summary>The file line of the first dropped row; 0 when none is.</summary>
    public int FirstDroppedLine { get; }

    /// <summary>The newest timestamp of a kept row, Unix milliseconds.</summary>
    public long LastTimestampMs { get; private init; }

    /// <summary>Whether the row is earlier than a row before it, and so not replayed.</summary>
    public bool IsDropped(int row) => _dropped[row];

    /// <summary>A warning for the user, naming the file, the first line and the count; null when nothing was dropped.</summary>
    public string? DroppedWarning => DroppedRows == 0 ? null
        : $"backtest CSV {Source}: dropped {DroppedRows} row(s) earlier than a row before them, first at line {FirstDroppedLine} "
            + "(as Prometheus drops out-of-order samples); their output rows have empty cells and score 0";

    /// <exception cref="CsvFormatException">The file is malformed; the message names the file and line.</exception>
    public static CsvSeries Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <param name="source">Names the input in error messages.</param>
    /// <exception cref="CsvFormatException">The input is malformed; the message names the source and line.</exception>
    public static CsvSeries Read(TextReader reader, string source)
    {
        int lineNumber = 0;
        string? line;
        do
        {
            line = reader.ReadLine();
            lineNumber++;
        }
        while (line is not null && string.IsNullOrWhiteSpace(line));
        if (line is null)
            throw new CsvFormatException(source, lineNumber, "the file is empty; expected a header naming the columns timestamp and value");
        string[] header = SplitFields(line);
        int timestampColumn = Array.FindIndex(header, f => f.Equals("timestamp", StringComparison.OrdinalIgnoreCase));
        int valueColumn = Array.FindIndex(header, f => f.Equals("value", StringComparison.OrdinalIgnoreCase));
        if (timestampColumn < 0 || valueColumn < 0)
            throw new CsvFormatException(source, lineNumber, $"the header must name the columns timestamp and value, found '{line}'");
        int fieldsNeeded = Math.Max(timestampColumn, valueColumn) + 1;

        var timestamps = new List<long>();
        var values = new List<float>();
        var dropped = new List<bool>();
        long newest = long.MinValue;
        int firstDroppedLine = 0;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            string[] fields = SplitFields(line);
            if (fields.Length < fieldsNeeded)
                throw new CsvFormatException(source, lineNumber, $"expected at least {fieldsNeeded} fields, found {fields.Length}");
            string timestampField = fields[timestampColumn];
            if (!CsvTimestamp.TryParse(timestampField, out long timestampMs))
                throw new CsvFormatException(source, lineNumber, $"'{timestampField}' is not a timestamp ({CsvTimestamp.ExpectedFormats})");
            bool outOfOrder = timestampMs < newest;
            if (outOfOrder && firstDroppedLine == 0)
                firstDroppedLine = lineNumber;
            newest = Math.Max(newest, timestampMs);
            timestamps.Add(timestampMs);
            values.Add(ParseValue(fields[valueColumn], source, lineNumber));
            dropped.Add(outOfOrder);
        }
        long[] timestampArray = [.. timestamps];
        bool[] droppedArray = [.. dropped];
        long stepMs = MedianSpacing(timestampArray, droppedArray);
        if (stepMs == 0)
            throw new CsvFormatException(source, lineNumber, $"{timestamps.Count} data rows without two distinct timestamps in order; the step cannot be known");
        return new CsvSeries(source, timestampArray, [.. values], droppedArray, stepMs, firstDroppedLine) { LastTimestampMs = newest };
    }

    private static float ParseValue(string field, string source, int lineNumber)
    {
        if (field.Length == 0)
            return float.NaN;
        if (!double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
            throw new CsvFormatException(source, lineNumber, $"'{field}' is not a number");
        return (float)value;
    }

    private static string[] SplitFields(string line)
    {
        string[] fields = line.Split(',', StringSplitOptions.TrimEntries);
        for (int i = 0; i < fields.Length; i++)
        {
            // Quotes around a whole field are common in exported files and carry no meaning here.
            if (fields[i].Length >= 2 && fields[i][0] == '"' && fields[i][^1] == '"')
                fields[i] = fields[i][1..^1].Trim();
        }
        return fields;
    }

    /// <returns>0 when no two kept timestamps differ.</returns>
    private static long MedianSpacing(long[] timestampsMs, bool[] dropped)
    {
        var spacings = new List<long>(timestampsMs.Length);
        long previous = long.MinValue;
        for (int i = 0; i < timestampsMs.Length; i++)
        {
            if (dropped[i])
                continue;
            if (previous != long.MinValue && timestampsMs[i] != previous)
                spacings.Add(timestampsMs[i] - previous);
            previous = timestampsMs[i];
        }
        if (spacings.Count == 0)
            return 0;
        spacings.Sort();
        return spacings[(spacings.Count - 1) / 2];
    }
}
