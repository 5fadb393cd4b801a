namespace Sidecar.Backtest;

/// <summary>A replayed file's anomaly outputs, one entry per CSV row; NaN where a row has none.</summary>
internal sealed class RowScores
{
    public RowScores(int rows)
    {
        Score = new double[rows];
        Surprise = new double[rows];
        Novelty = new double[rows];
        Score.AsSpan().Fill(double.NaN);
        Surprise.AsSpan().Fill(double.NaN);
        Novelty.AsSpan().Fill(double.NaN);
    }

    /// <summary><c>anomaly_score</c>.</summary>
    public double[] Score { get; }

    /// <summary><c>anomaly_surprise</c>; NaN throughout when <c>anomaly.surprise_window</c> is 0.</summary>
    public double[] Surprise { get; }

    /// <summary><c>anomaly_novelty</c>; NaN throughout when <c>anomaly.novelty_tolerance</c> is 0.</summary>
    public double[] Novelty { get; }
}
