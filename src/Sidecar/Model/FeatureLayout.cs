using Sidecar.Host;

namespace Sidecar.Model;

/// <summary>
/// The inputs the network sees at each step, in order:
/// <list type="bullet">
/// <item>the scaled value, and a flag set when the step is missing (the value is then carried forward
/// from the last observed step, never a silent zero);</item>
/// <item>with calendar features, time of day and day of week as sin/cos;</item>
/// <item>with seasonal lags, the scaled value one day and one week earlier, each with a missing flag;</item>
/// <item>with smoothed levels, the fast and the slow level of <see cref="InputLevels"/>, each less the last value;</item>
/// <item>per covariate, its scaled value at the same step and a missing flag (the value is then 0, the
/// covariate's median).</item>
/// </list>
/// </summary>
internal sealed class FeatureLayout
{
    private const long DayMs = 86_400_000;
    private const long WeekMs = 7 * DayMs;

    public FeatureLayout(FeatureSettings settings, long stepMs)
    {
        Settings = settings;
        StepMs = stepMs;
        DailyLagSteps = settings.DailyLag && DayMs % stepMs == 0 ? (int)(DayMs / stepMs) : 0;
        WeeklyLagSteps = settings.WeeklyLag && WeekMs % stepMs == 0 ? (int)(WeekMs / stepMs) : 0;
        LevelsStart = 2 + (settings.Calendar ? 4 : 0) + (DailyLagSteps > 0 ? 2 : 0) + (WeeklyLagSteps > 0 ? 2 : 0);
        CovariateStart = LevelsStart + (settings.SmoothedLevels ? 2 : 0);
        CovariateCount = settings.Covariates?.Metrics.Count ?? 0;
        Count = CovariateStart + 2 * CovariateCount;
    }

    /// <summary>Where the smoothed levels' inputs are in a row, when they are on.</summary>
    public int LevelsStart { get; }

    /// <summary>Where the covariates' inputs begin in a row.</summary>
    public int CovariateStart { get; }

    public int CovariateCount { get; }

    public FeatureSettings Settings { get; }

    public long StepMs { get; }

    /// <summary>Inputs per step.</summary>
    public int Count { get; }

    /// <summary>0 when the daily lag is off (or a day is not a whole number of steps).</summary>
    public int DailyLagSteps { get; }

    public int WeeklyLagSteps { get; }

    /// <summary>How far back, in steps, the inputs of one step reach.</summary>
    public int LookbackSteps => Math.Max(DailyLagSteps, WeeklyLagSteps);

    /// <summary>
    /// Writes the inputs of <paramref name="step"/> into <paramref name="row"/>. <paramref name="levels"/>
    /// holds the last observed scaled value and the smoothed levels; they move to this step's value when there is one.
    /// </summary>
    public void Fill(Span<float> row, long step, float value, float dailyLag, float weeklyLag, RobustScaler scaler, ref InputLevels levels) =>
        Fill(row, CalendarOf(step), value, dailyLag, weeklyLag, scaler, ref levels);

    /// <summary>
    /// As <see cref="Fill(Span{float}, long, float, float, float, RobustScaler, ref InputLevels)"/>, with the step's
    /// calendar inputs worked out once for every series of a batch (<see cref="CalendarOf"/>): four
    /// trigonometric calls per series-step cost about a tenth of the network's forward pass.
    /// </summary>
    public void Fill(Span<float> row, in CalendarInputs calendar, float value, float dailyLag, float weeklyLag, RobustScaler scaler, ref InputLevels levels)
    {
        bool missing = float.IsNaN(value);
        if (!missing)
            levels.Observe(scaler.Scale(value));
        float anchor = levels.Anchor;
        int i = 0;
        row[i++] = anchor;
        row[i++] = missing ? 1 : 0;
        if (Settings.Calendar)
        {
            row[i++] = calendar.DaySin;
            row[i++] = calendar.DayCos;
            row[i++] = calendar.WeekSin;
            row[i++] = calendar.WeekCos;
        }
        if (DailyLagSteps > 0)
            i = FillLag(row, i, dailyLag, scaler, anchor);
        if (WeeklyLagSteps > 0)
            FillLag(row, i, weeklyLag, scaler, anchor);
        if (Settings.SmoothedLevels)
        {
            row[LevelsStart] = levels.Fast - anchor;
            row[LevelsStart + 1] = levels.Slow - anchor;
        }
    }

    /// <summary>The time-of-day and day-of-week inputs of <paramref name="step"/>, the same for every series.</summary>
    public CalendarInputs CalendarOf(long step)
    {
        if (!Settings.Calendar)
            return default;
        long ms = step * StepMs;
        double day = 2 * Math.PI * Mod(ms, DayMs) / DayMs;
        // 1970-01-01 was a Thursday: shift so the weekly angle starts on Monday.
        double week = 2 * Math.PI * Mod(ms + 3 * DayMs, WeekMs) / WeekMs;
        return new CalendarInputs((float)Math.Sin(day), (float)Math.Cos(day), (float)Math.Sin(week), (float)Math.Cos(week));
    }

    // A missing lag is shown as the current level with its flag set, so the lag adds no false signal.
    /// <summary>Writes covariate <paramref name="index"/>'s input: its scaled value, or a flagged 0 when it is missing.</summary>
    public void FillCovariate(Span<float> row, int index, float scaled)
    {
        bool missing = float.IsNaN(scaled);
        row[CovariateStart + 2 * index] = missing ? 0 : scaled;
        row[CovariateStart + 2 * index + 1] = missing ? 1 : 0;
    }

    private static int FillLag(Span<float> row, int i, float lag, RobustScaler scaler, float anchor)
    {
        bool missing = float.IsNaN(lag);
        row[i] = missing ? anchor : scaler.Scale(lag);
        row[i + 1] = missing ? 1 : 0;
        return i + 2;
    }

    private static long Mod(long value, long divisor)
    {
        long r = value % divisor;
        return r < 0 ? r + divisor : r;
    }
}

/// <summary>The calendar inputs of one step: sine and cosine of the time of day and of the day of the week.</summary>
internal readonly record struct CalendarInputs(float DaySin, float DayCos, float WeekSin, float WeekCos);
