namespace Sidecar.Backtest;

/// <summary>A CSV series file that cannot be read; the message names the file and the line to fix.</summary>
internal sealed class CsvFormatException(string fileName, int line, string reason)
    : FormatException($"backtest CSV {fileName}, line {line}: {reason}")
{
    /// <summary>The file path, or whatever name the caller gave the input.</summary>
    public string FileName { get; } = fileName;

    /// <summary>1-based, counting every physical line including the header and blank ones.</summary>
    public int Line { get; } = line;
}
