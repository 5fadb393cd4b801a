using System.Globalization;
using System.Text.Json;

namespace Sidecar.Backtest;

/// <summary>
/// Writes backtest scores in the Numenta Anomaly Benchmark's results layout, so NAB's own scorer can
/// rate them: <c>&lt;dir&gt;/&lt;category&gt;/&lt;detector&gt;_&lt;file&gt;.csv</c> with the columns
/// <c>timestamp,value,anomaly_score,label</c>. NAB wants scores in [0, 1]; ours run from 0 upwards with 1
/// as the line between normal and anomalous, so a score s is written as s / (1 + s): 0 stays 0, 1 becomes
/// 0.5, and the order of scores is kept. The label is 1 inside the file's anomaly windows (from NAB's
/// <c>combined_windows.json</c>); the scorer reads the windows itself, the column is for readers.
/// Each of the sidecar's anomaly outputs is written as its own detector, so one replay rates all three.
/// </summary>
internal sealed class NabResults(string directory, IReadOnlyDictionary<string, IReadOnlyList<(DateTime Start, DateTime End)>> windows)
{
    /// <summary><c>anomaly_novelty</c>: the sidecar's NAB entry.</summary>
    public const string NoveltyDetector = "forecastSidecar";

    /// <summary><c>anomaly_surprise</c>.</summary>
    public const string SurpriseDetector = "forecastSidecarSurprise";

    /// <summary><c>anomaly_score</c>.</summary>
    public const string ScoreDetector = "forecastSidecarScore";

    public static NabResults Load(string directory, string windowsPath)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(windowsPath));
        var windows = new Dictionary<string, IReadOnlyList<(DateTime, DateTime)>>(StringComparer.Ordinal);
        foreach (var file in json.RootElement.EnumerateObject())
        {
            windows[file.Name] = [.. file.Value.EnumerateArray().Select(w => (Parse(w[0].GetString()!), Parse(w[1].GetString()!)))];
        }
        return new NabResults(directory, windows);
    }

    /// <summary>Writes the rows of all three detectors for one data file.</summary>
    public void Write(string path, CsvSeries csv, RowScores rows)
    {
        Write(path, csv, NoveltyDetector, rows.Novelty);
        Write(path, csv, SurpriseDetector, rows.Surprise);
        Write(path, csv, ScoreDetector, rows.Score);
    }

    /// <summary>Writes one detector's results for one data file; <paramref name="path"/> names its category by its folder.</summary>
    public void Write(string path, CsvSeries csv, string detector, double[] scores)
    {
        string category = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)))!;
        string name = Path.GetFileName(path);
        windows.TryGetValue($"{category}/{name}", out var fileWindows);
        string folder = Path.Combine(directory, detector, category);
        Directory.CreateDirectory(folder);
        using var writer = new StreamWriter(Path.Combine(folder, $"{detector}_{name}"));
        writer.WriteLine("timestamp,value,anomaly_score,label");
        var invariant = CultureInfo.InvariantCulture;
        for (int row = 0; row < csv.Values.Length; row++)
        {
            DateTime time = DateTimeOffset.FromUnixTimeMilliseconds(csv.TimestampsMs[row]).UtcDateTime;
            double score = double.IsNaN(scores[row]) ? 0 : scores[row] / (1 + scores[row]);
            int label = fileWindows?.Any(w => time >= w.Start && time <= w.End) == true ? 1 : 0;
            writer.WriteLine(string.Create(invariant, $"{time:yyyy-MM-dd HH:mm:ss},{csv.Values[row].ToString("R", invariant)},{score.ToString("R", invariant)},{label}"));
        }
    }

    private static DateTime Parse(string text) =>
        DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
}
