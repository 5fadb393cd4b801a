namespace Sidecar.Score;

/// <summary>
/// One series' adaptive interval on its own (<see cref="AdaptiveIntervals"/>, which says what it does), in
/// the form the scoring snapshot saves and reads: a table of one row. A pipeline keeps its series' intervals
/// in one table and copies a series' row out of it to save and into it to restore.
/// </summary>
internal sealed class AdaptiveInterval
{
    private const int Row = 0;

    private readonly AdaptiveIntervals _table;

    /// <param name="coverage">The share of outcomes the band promises to hold, e.g. 0.9 for p05–p95.</param>
    public AdaptiveInterval(IReadOnlyList<int> horizonSteps, double coverage)
        : this(WaitingSchedule.For(horizonSteps), (float)(1 - coverage))
    {
    }

    private AdaptiveInterval(WaitingSchedule schedule, float missRate)
    {
        _table = new AdaptiveIntervals(schedule, missRate, rowsPerTile: 1);
        _table.Start(Row);
    }

    /// <summary>The factor the model's band of horizon <paramref name="horizon"/> is stretched by about its median.</summary>
    public float Stretch(int horizon) => _table.Stretch(Row, horizon);

    /// <summary>Remembers the model's own band (before stretching) of the forecast made at <paramref name="step"/>.</summary>
    public void Record(int horizon, long step, float median, float lower, float upper) => _table.Record(Row, horizon, step, median, lower, upper);

    /// <summary>Judges every remembered forecast for <paramref name="step"/> against its outcome.</summary>
    public void Observe(long step, float actual) => _table.Observe(Row, step, actual);

    /// <summary>Whether this state was made for these horizons, so it can carry over (a restart, a reload).</summary>
    public bool Fits(IReadOnlyList<int> horizonSteps) => _table.Schedule.Fits(horizonSteps);

    public AdaptiveInterval Clone() => CopyOf(_table, Row);

    /// <summary>Row <paramref name="row"/> of <paramref name="table"/> on its own, with the table's miss rate.</summary>
    public static AdaptiveInterval CopyOf(AdaptiveIntervals table, int row)
    {
        var copy = new AdaptiveInterval(table.Schedule, table.MissRate);
        table.CopyRow(row, copy._table, Row);
        return copy;
    }

    /// <summary>Puts this interval into row <paramref name="row"/> of <paramref name="table"/>, made for the same horizons; the table keeps its own miss rate.</summary>
    public void CopyTo(AdaptiveIntervals table, int row) => _table.CopyRow(Row, table, row);

    /// <summary>Writes the horizons it was made for, the coverage, each stretch and the waiting forecasts.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        WaitingSchedule schedule = _table.Schedule;
        schedule.WriteHorizons(writer);
        writer.Write(_table.MissRate);
        for (int h = 0; h < schedule.Horizons; h++)
            writer.Write(_table.Stretch(Row, h));
        for (int slot = 0; slot < schedule.Slots; slot++)
            writer.Write(_table.TargetAt(Row, slot));
        for (int slot = 0; slot < schedule.Slots; slot++)
        {
            AdaptiveIntervals.Band band = _table.WaitingBand(Row, slot);
            writer.Write(band.Median);
            writer.Write(band.Below);
            writer.Write(band.Above);
        }
    }

    /// <exception cref="InvalidDataException">A count or value no writer makes.</exception>
    public static AdaptiveInterval ReadFrom(BinaryReader reader)
    {
        WaitingSchedule schedule = WaitingSchedule.ReadHorizons(reader, "adaptive interval");
        float missRate = reader.ReadSingle();
        if (!(missRate > 0 && missRate < 1))
            throw new InvalidDataException($"adaptive interval miss rate {missRate}");
        var interval = new AdaptiveInterval(schedule, missRate);
        for (int h = 0; h < schedule.Horizons; h++)
        {
            float stretch = reader.ReadSingle();
            if (!(stretch >= AdaptiveIntervals.Smallest && stretch <= AdaptiveIntervals.Largest))
                throw new InvalidDataException($"adaptive interval stretch {stretch}");
            interval._table.StretchAt(Row, h) = stretch;
        }
        for (int slot = 0; slot < schedule.Slots; slot++)
            interval._table.TargetAt(Row, slot) = reader.ReadInt64();
        for (int slot = 0; slot < schedule.Slots; slot++)
            interval._table.SetWaitingBand(Row, slot, new AdaptiveIntervals.Band(reader.ReadSingle(), reader.ReadSingle(), reader.ReadSingle()));
        return interval;
    }
}
