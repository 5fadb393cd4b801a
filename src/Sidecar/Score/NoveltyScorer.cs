using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// How far one series goes beyond everything it has done before: <c>anomaly_novelty</c>. Five views of
/// the series each keep a fading record range (<see cref="RecordRange"/>):
/// <list type="bullet">
/// <item>the value;</item>
/// <item>its level, the mean of the last <c>smoothing</c> steps;</item>
/// <item>its day-over-day change, the mean of |value − value a day earlier| over those steps, counted only
/// while the series has a daily pattern: after a day of pairs, a correlation with itself a day earlier of at
/// least <c>daily_correlation</c>. On a series without one, that view's records measure noise.</item>
/// <item>its week-over-week change, the same against the value a week earlier (where the history holds
/// it), gated the same way by the correlation with itself a week earlier, and counted once a day of its own
/// values is in its record. Where the week has two kinds of day (workdays and weekends, as most traffic
/// does), day-over-day changes are large every Monday and Saturday and their record absorbs a holiday's
/// change, while a week earlier was the same kind of day.</item>
/// <item>the forecast's surprise (<see cref="ScoreSurprise"/>), where the LSTM scores the step.</item>
/// </list>
/// Novelty is the largest distance beyond a record, as a fraction of that record's range, divided by the
/// tolerance: 1 means a view went <c>tolerance</c> of its range beyond anything seen. Since a rising
/// excursion sets a new record at every step on its way up, a step reports only where it is the highest
/// of the last <c>onset</c> steps, and 0 otherwise: one signal per rise, what a page should be. It is 0
/// until a day of the series (and one smoothing window) has been seen.
/// Steps must be fed in order, one by one, gaps as NaN. Touched by one thread only.
/// </summary>
internal sealed class NoveltyScorer
{
    private readonly NoveltySettings _settings;
    private readonly double _keep;
    private RecordRange _value;
    private RecordRange _level;
    private RecordRange _change = RecordRange.FromZero();
    private RecordRange _surprise = RecordRange.FromZero();
    private RecordRange _weekChange = RecordRange.FromZero();
    private WindowMean _recent;
    private WindowMean _changes;
    private WindowMean _weekChanges;
    private DailyCorrelation _daily;
    private DailyCorrelation _weekly;
    // Week-over-week changes taken into the record: the view counts after a day of them. Its record starts
    // a week into a series, long after the scorer's own warm-up, and its first values would break it.
    private int _weekSeen;
    private float[] _earlier;
    private int _earlierPosition;
    private int _seen;

    public NoveltyScorer(NoveltySettings settings)
    {
        _settings = settings;
        _keep = settings.HalfLifeSteps > 0 ? Math.Pow(0.5, 1 / settings.HalfLifeSteps) : 1;
        _recent = new WindowMean(settings.SmoothingSteps);
        _changes = new WindowMean(settings.SmoothingSteps);
        _weekChanges = new WindowMean(settings.SmoothingSteps);
        _earlier = new float[settings.OnsetSteps - 1];
    }

    /// <summary>Writes everything the scorer remembers, for the scoring state kept across restarts; the settings are the reader's.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(LastStep);
        writer.Write(_seen);
        _value.WriteTo(writer);
        _level.WriteTo(writer);
        _change.WriteTo(writer);
        _surprise.WriteTo(writer);
        _recent.WriteTo(writer);
        _changes.WriteTo(writer);
        _daily.WriteTo(writer);
        writer.Write(_earlierPosition);
        foreach (float v in _earlier)
            writer.Write(v);
        _weekChange.WriteTo(writer);
        _weekChanges.WriteTo(writer);
        _weekly.WriteTo(writer);
        writer.Write(_weekSeen);
    }

    /// <summary>Reads what <see cref="WriteTo"/> wrote under settings with the same smoothing and onset steps.</summary>
    /// <param name="withWeek">False for what a build before the week-over-week view wrote: that view starts afresh.</param>
    /// <exception cref="InvalidDataException">Positions or counts no scorer could have reached.</exception>
    public static NoveltyScorer ReadFrom(BinaryReader reader, NoveltySettings settings, bool withWeek = true)
    {
        var scorer = new NoveltyScorer(settings) { LastStep = reader.ReadInt64(), _seen = reader.ReadInt32() };
        scorer._value = RecordRange.ReadFrom(reader);
        scorer._level = RecordRange.ReadFrom(reader);
        scorer._change = RecordRange.ReadFrom(reader);
        scorer._surprise = RecordRange.ReadFrom(reader);
        scorer._recent = WindowMean.ReadFrom(reader, settings.SmoothingSteps);
        scorer._changes = WindowMean.ReadFrom(reader, settings.SmoothingSteps);
        scorer._daily = DailyCorrelation.ReadFrom(reader);
        scorer._earlierPosition = reader.ReadInt32();
        if (scorer._seen < 0 || scorer._earlierPosition < 0 || scorer._earlierPosition >= Math.Max(1, scorer._earlier.Length))
            throw new InvalidDataException($"bad novelty scorer ({scorer._seen} seen, onset position {scorer._earlierPosition})");
        for (int i = 0; i < scorer._earlier.Length; i++)
            scorer._earlier[i] = reader.ReadSingle();
        if (!withWeek)
            return scorer;
        scorer._weekChange = RecordRange.ReadFrom(reader);
        scorer._weekChanges = WindowMean.ReadFrom(reader, settings.SmoothingSteps);
        scorer._weekly = DailyCorrelation.ReadFrom(reader);
        scorer._weekSeen = reader.ReadInt32();
        if (scorer._weekSeen < 0)
            throw new InvalidDataException($"bad novelty scorer ({scorer._weekSeen} week-over-week changes seen)");
        return scorer;
    }

    /// <summary>The settings the scorer scores under.</summary>
    public NoveltySettings Settings => _settings;

    /// <summary>The newest step fed; <see cref="long.MinValue"/> before the first.</summary>
    public long LastStep { get; internal set; } = long.MinValue;

    // The state by reference, for NoveltyTable to copy a row in and out; nothing else writes it from outside.
    internal ref RecordRange ValueRecord => ref _value;
    internal ref RecordRange LevelRecord => ref _level;
    internal ref RecordRange ChangeRecord => ref _change;
    internal ref RecordRange SurpriseRecord => ref _surprise;
    internal ref RecordRange WeekChangeRecord => ref _weekChange;
    internal ref WindowMean Recent => ref _recent;
    internal ref WindowMean Changes => ref _changes;
    internal ref WindowMean WeekChanges => ref _weekChanges;
    internal ref DailyCorrelation Daily => ref _daily;
    internal ref DailyCorrelation Weekly => ref _weekly;
    internal ref int Seen => ref _seen;
    internal ref int WeekSeen => ref _weekSeen;
    internal Span<float> Earlier => _earlier;
    internal ref int EarlierPosition => ref _earlierPosition;

    /// <summary>Feeds the step after <see cref="LastStep"/> and returns its novelty (0 where it isn't an onset).</summary>
    /// <param name="value">The step's value; NaN for a gap.</param>
    /// <param name="dayAgo">The value a day earlier; NaN where there is none.</param>
    /// <param name="weekAgo">The value a week earlier; NaN where there is none.</param>
    /// <param name="surprise">The forecast's surprise at this step; NaN where the LSTM didn't score it.</param>
    /// <remarks>
    /// Runs for every series at every step. Its helpers (<see cref="RecordRange"/>, <see cref="WindowMean"/>,
    /// <see cref="DailyCorrelation"/>) are inlined into it: as calls, each made the doubles live across it
    /// go to memory and back (x64 keeps none in registers across a call). With that, and the divisions a
    /// step inside every record needs not (0 is 0), an Observe took 51 ns instead of 62–68 (1,024
    /// scorers at a 1-minute step, a timing of every method tiered up; issue 19). Same results to the bit.
    /// </remarks>
    public double Observe(long step, float value, float dayAgo, float weekAgo, double surprise)
    {
        LastStep = step;
        _recent.Push(value);
        _changes.Push(Distance(value, dayAgo));
        _weekChanges.Push(Distance(value, weekAgo));
        double novelty = 0;
        if (!float.IsNaN(value))
        {
            double level = _recent.Mean;
            double change = _changes.Mean;
            double weekChange = _weekChanges.Mean;
            if (_seen >= _settings.WarmupSteps)
            {
                double beyond = Math.Max(_value.Exceedance(value), Math.Max(_level.Exceedance(level), _surprise.Exceedance(surprise)));
                if (Follows(_daily))
                    beyond = Math.Max(beyond, _change.Exceedance(change));
                if (_weekSeen >= _settings.DaySteps && Follows(_weekly))
                    beyond = Math.Max(beyond, _weekChange.Exceedance(weekChange));
                novelty = beyond == 0 ? 0 : beyond / _settings.Tolerance; // most steps: 0 without dividing
            }
            double centre = double.IsNaN(level) ? value : level;
            _value.Include(value, centre, _keep);
            if (!double.IsNaN(level))
                _level.Include(level, centre, _keep);
            if (!double.IsNaN(change))
                _change.Include(change, 0, _keep);
            if (!double.IsNaN(surprise))
                _surprise.Include(surprise, 0, _keep);
            if (!double.IsNaN(weekChange))
            {
                _weekChange.Include(weekChange, 0, _keep);
                _weekSeen++;
            }
            if (!float.IsNaN(dayAgo))
                _daily.Add(value, dayAgo, _keep);
            if (!float.IsNaN(weekAgo))
                _weekly.Add(value, weekAgo, _keep);
            _seen++;
        }
        return Onset(novelty);
    }

    private static float Distance(float value, float earlier) =>
        float.IsNaN(value) || float.IsNaN(earlier) ? float.NaN : Math.Abs(value - earlier);

    // Whether a seasonal view counts: always with a correlation gate of -1, else after a day of pairs correlated at least that much.
    private bool Follows(in DailyCorrelation correlation) =>
        _settings.DailyCorrelation <= -1 || correlation.Pairs >= _settings.DaySteps && correlation.Correlation >= _settings.DailyCorrelation;

    private double Onset(double novelty)
    {
        if (_earlier.Length == 0)
            return novelty;
        // Most steps are 0, which is never the highest: the earlier steps need no look then.
        bool highest = novelty > 0;
        for (int i = 0; highest && i < _earlier.Length; i++)
            highest = novelty > _earlier[i];
        _earlier[_earlierPosition] = (float)novelty;
        if (++_earlierPosition == _earlier.Length)
            _earlierPosition = 0;
        return highest ? novelty : 0;
    }
}
