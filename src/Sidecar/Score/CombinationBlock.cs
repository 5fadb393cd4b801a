using Sidecar.Model;

namespace Sidecar.Score;

/// <summary>
/// The judging state of <see cref="Rows"/> series' forecast combinations (<see cref="ForecastCombination"/>),
/// held horizon by horizon, then row by row: each horizon's weights side by side, its mixes' errors row after
/// row, and the forecasts waiting for their outcome slot by slot (<see cref="WaitingForecasts{TPayload}"/>).
/// A series' combination is a row of it: a block of one row standing alone, or a row of a target's block
/// (<see cref="CombinationRows"/>), where a step walking neighbouring ids reads neighbouring rows.
/// </summary>
/// <remarks>
/// Each series' combination with its own four arrays, a step over many series touched each of them for every
/// series, each line loaded for that series alone (issue 19). Touched by the inference loop only.
/// </remarks>
internal sealed class CombinationBlock
{
    /// <summary>Mixes' errors per horizon in whole vectors of four, a fourth lane unused after the eleventh mix.</summary>
    public const int MixStride = (MixGrid.Count + 3) / 4 * 4;

    /// <summary>The LSTM's weight until a horizon has <see cref="ForecastCombination.MinimumOutcomes"/> outcomes.</summary>
    public const double EqualWeight = 0.5;

    public CombinationBlock(WaitingSchedule schedule, int daySteps, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        (Schedule, DaySteps, Rows) = (schedule, Math.Max(1, daySteps), rows);
        Weights = new double[schedule.Horizons * rows];
        Weights.AsSpan().Fill(EqualWeight);
        Judgings = new Judging[schedule.Horizons * rows];
        // An outcome's weight in an average over about a day of a horizon's outcomes: the same for every row.
        // (Plain loops: a snapshot makes a block of one row for every series it copies.)
        DayAlpha = new double[schedule.Horizons];
        DayOutcomes = new int[schedule.Horizons];
        for (int h = 0; h < schedule.Horizons; h++)
        {
            DayAlpha[h] = 2.0 / (Math.Max(1.0, (double)DaySteps / schedule.Stride(h)) + 1);
            DayOutcomes[h] = FirstOutcomeAtRate(DayAlpha[h]);
        }
        Waiting = WaitingForecasts<Members>.ForRows(schedule, rows);
    }

    public WaitingSchedule Schedule { get; }

    /// <summary>Steps in a day: the errors are weighted over about a day of outcomes.</summary>
    public int DaySteps { get; }

    public int Rows { get; }

    /// <summary>The LSTM's weight now, at horizon h × <see cref="Rows"/> + row: chosen when an outcome moves the errors, not per combine.</summary>
    public double[] Weights { get; }

    /// <summary>The mixes' errors and outcome count, at horizon h × <see cref="Rows"/> + row.</summary>
    public Judging[] Judgings { get; }

    /// <summary>Per horizon, an outcome's weight once it has had a day of them.</summary>
    public double[] DayAlpha { get; }

    /// <summary>Per horizon, the first outcome count n whose running mean's weight 1 / n is no more than <see cref="DayAlpha"/>'s.</summary>
    public int[] DayOutcomes { get; }

    // 1.0 / n falls as n grows (correctly rounded, never rises), so from this n on the larger of the two
    // weights is the day's, exactly as Math.Max(1.0 / n, alpha) chooses it: no division per outcome after it.
    private static int FirstOutcomeAtRate(double alpha)
    {
        int n = Math.Max(1, (int)(1.0 / alpha) - 1);
        while (n > 1 && 1.0 / (n - 1) <= alpha)
            n--;
        while (1.0 / n > alpha)
            n++;
        return n;
    }

    /// <summary>The forecasts waiting for their outcome, every row's; a row's own through <see cref="WaitingForecasts{TPayload}.Row"/>.</summary>
    public WaitingForecasts<Members> Waiting { get; }

    /// <summary>Whether this block was made for these horizons and day.</summary>
    public bool Fits(WaitingSchedule schedule, int daySteps) => schedule.Fits(Schedule.HorizonSteps) && Math.Max(1, daySteps) == DaySteps;

    /// <summary>Starts row <paramref name="row"/> afresh: no outcomes, equal weights, nothing waiting.</summary>
    public void Reset(int row)
    {
        for (int h = 0; h < Schedule.Horizons; h++)
        {
            Weights[h * Rows + row] = EqualWeight;
            Judgings[h * Rows + row] = default;
        }
        Waiting.Row(row).Empty();
    }

    /// <summary>Copies row <paramref name="row"/> to row <paramref name="toRow"/> of <paramref name="to"/>, a block for the same horizons and day.</summary>
    public void CopyRow(int row, CombinationBlock to, int toRow)
    {
        if (!to.Fits(Schedule, DaySteps))
            throw new ArgumentException("A combination block for other horizons or another day.", nameof(to));
        for (int h = 0; h < Schedule.Horizons; h++)
        {
            to.Weights[h * to.Rows + toRow] = Weights[h * Rows + row];
            to.Judgings[h * to.Rows + toRow] = Judgings[h * Rows + row];
        }
        Waiting.Row(row).CopyTo(to.Waiting.Row(toRow));
    }

    /// <summary>One horizon's judging of one row: the mixes' errors and how many outcomes moved them.</summary>
    public struct Judging
    {
        public MixLanes Errors;     // the mean absolute error of LSTM weight k / 10, a lane each (the last unused)
        public int Outcomes;
    }

    /// <summary>The mixes' errors in whole vectors of four.</summary>
    [System.Runtime.CompilerServices.InlineArray(MixStride)]
    public struct MixLanes
    {
        private double _first;
    }

    /// <summary>A waiting forecast's two members: the LSTM's median and the fitted model's forecast.</summary>
    public readonly record struct Members(float Lstm, float Other);
}
