namespace Sidecar.Model.Baselines;

/// <summary>
/// A fitted additive Holt-Winters model (<see cref="HoltWintersFit"/>) that goes on filtering: between refits
/// each new step updates level, trend and that phase's offset with the fitted weights, as a forecaster
/// refitting daily would run it. Forecast h steps ahead: level + h·trend + the offset of that step's phase.
/// </summary>
/// <remarks>
/// A season of 1,440 steps (a day at 1m) is most of what <c>model.combine</c> holds per series, so the
/// offsets are kept as 16-bit floats of the offset over a per-model scale (the largest fitted offset):
/// a quarter of the bytes of doubles. Half precision keeps 11 significant bits, an error of at most
/// 1/4096 of the largest offset, far below any series' noise; the scale keeps large-unit series (bytes)
/// inside Half's range, and grows if filtering ever takes an offset far past it. Level and trend, which
/// every step updates, stay in double precision.
/// </remarks>
internal sealed class HoltWintersModel
{
    // Above this many scales an offset would approach Half's largest finite value (65,504): rescale first.
    private const double RescaleAbove = 16_384;

    // Phase p's offset is _offsets[_first + p * _stride]: an array of its own (first 0, stride 1), or one
    // column of a table many models share (MoveSeasonTo).
    private Half[] _offsets;
    private int _first;
    private int _stride = 1;
    private readonly int _length;
    private double _seasonScale;
    private double _level;
    private double _trend;
    private int _nextPhase;

    public HoltWintersModel(double alpha, double beta, double gamma, double level, double trend, ReadOnlySpan<double> season, int nextPhase, double sse)
        : this(alpha, beta, gamma, level, trend, new Half[season.Length], ScaleOf(season), nextPhase, sse)
    {
        for (int i = 0; i < season.Length; i++)
            _offsets[i] = (Half)(season[i] / _seasonScale);
    }

    private HoltWintersModel(double alpha, double beta, double gamma, double level, double trend, Half[] season, double seasonScale, int nextPhase, double sse)
    {
        (Alpha, Beta, Gamma, SumOfSquaredErrors) = (alpha, beta, gamma, sse);
        (_level, _trend, _nextPhase) = (level, trend, nextPhase);
        (_offsets, _length, _seasonScale) = (season, season.Length, seasonScale);
    }

    public double Alpha { get; }

    public double Beta { get; }

    public double Gamma { get; }

    /// <summary>The in-sample sum of squared one-step errors the fit reached, in the series' units squared.</summary>
    public double SumOfSquaredErrors { get; }

    /// <summary>Takes the next step's value (NaN for a gap).</summary>
    public void Observe(double value)
    {
        int k = _nextPhase;
        _nextPhase = k + 1 < _length ? k + 1 : 0;
        if (double.IsNaN(value))
        {
            _level += _trend;
            return;
        }
        double offset = Offset(k);
        double next = Alpha * (value - offset) + (1 - Alpha) * (_level + _trend);
        _trend = Beta * (next - _level) + (1 - Beta) * _trend;
        SetOffset(k, Gamma * (value - next) + (1 - Gamma) * offset);
        _level = next;
    }

    /// <summary>The forecast <paramref name="steps"/> (at least 1) after the last observed step.</summary>
    public double Forecast(int steps) => _level + steps * _trend + Offset(PhaseAfter(steps));

    // The phase of the step `steps` after the last observed one. A horizon within a season (every default) wraps
    // at most once, so a subtraction finds it; the 64-bit division it took before was, with the offset's load
    // waiting on it, a quarter of combining a forecast (perf, bench inference, issue 19).
    private int PhaseAfter(int steps)
    {
        long phase = _nextPhase + (long)steps - 1;
        int length = _length;
        return (int)(phase < length ? phase : phase < 2L * length ? phase - length : phase % length);
    }

    private double Offset(int phase) => HalfBits.ToDouble(_offsets[_first + phase * _stride]) * _seasonScale;

    private void SetOffset(int phase, double offset)
    {
        double scaled = offset / _seasonScale;
        if (Math.Abs(scaled) > RescaleAbove)
        {
            // Dividing by a power of two only rounds offsets that fall below Half's normal range: by less than
            // 2^-25 of the new scale, far below the new largest offset's own rounding.
            double factor = Math.Pow(2, Math.Ceiling(Math.Log2(Math.Abs(scaled))));
            for (int i = 0; i < _length; i++)
            {
                ref Half stored = ref _offsets[_first + i * _stride];
                stored = (Half)((double)stored / factor);
            }
            _seasonScale *= factor;
            scaled = offset / _seasonScale;
        }
        _offsets[_first + phase * _stride] = HalfBits.FromDouble(scaled);
    }

    /// <summary>The season's length in steps.</summary>
    public int SeasonSteps => _length;

    /// <summary>The phase the next step taken in falls on.</summary>
    public int NextPhase => _nextPhase;

    /// <summary>
    /// Moves the offsets into column <paramref name="column"/> of <paramref name="table"/>, a table of
    /// <paramref name="columns"/> columns with a row per phase, and renumbers the phases so that step s falls
    /// on row s mod <see cref="SeasonSteps"/>, <paramref name="nextStep"/> being the step <see cref="Observe"/>
    /// takes next. Models of one target's series moved so, each into its own column, then read and write
    /// the offsets of a step in neighbouring columns of one row; forecasts and filtering are the same to the
    /// bit. The model's own array, if it had one, is given up.
    /// </summary>
    public void MoveSeasonTo(Half[] table, int column, int columns, long nextStep)
    {
        if (columns < 1 || column < 0 || column >= columns || table.Length < (long)_length * columns)
            throw new ArgumentException($"Column {column} of {columns} doesn't fit a table of {table.Length} offsets for a season of {_length} steps.", nameof(table));
        int row = (int)(((nextStep % _length) + _length) % _length);
        // Gathered first: they may already lie in this table (a model moved twice), where the writes would overtake the reads.
        Half[] offsets = OwnOffsets();
        for (int i = 0; i < _length; i++)
            table[column + (row + i) % _length * columns] = offsets[(_nextPhase + i) % _length];
        (_offsets, _first, _stride, _nextPhase) = (table, column, columns, row);
    }

    /// <summary>A copy that goes on filtering independently of this one, with an array of its own.</summary>
    public HoltWintersModel Clone() => new(Alpha, Beta, Gamma, _level, _trend, OwnOffsets(), _seasonScale, _nextPhase, SumOfSquaredErrors);

    // The offsets phase by phase, wherever they are kept.
    private Half[] OwnOffsets()
    {
        var offsets = new Half[_length];
        for (int i = 0; i < _length; i++)
            offsets[i] = _offsets[_first + i * _stride];
        return offsets;
    }

    /// <summary>Writes the weights and the states as they are now, for the scoring state kept across restarts.</summary>
    /// <remarks>The season as it is held (its scale, then each offset's 16 bits), so a restart goes on exactly.</remarks>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(Alpha);
        writer.Write(Beta);
        writer.Write(Gamma);
        writer.Write(_level);
        writer.Write(_trend);
        writer.Write(_nextPhase);
        writer.Write(SumOfSquaredErrors);
        writer.Write(_length);
        writer.Write(_seasonScale);
        for (int i = 0; i < _length; i++)
            writer.Write(BitConverter.HalfToUInt16Bits(_offsets[_first + i * _stride]));
    }

    /// <param name="offsetsAsDoubles">A state written before the season was kept in 16 bits: each offset a double, no scale.</param>
    /// <exception cref="InvalidDataException">A weight outside [0, 1], a season longer than <paramref name="maxSeason"/>, a phase outside it, or an offset or scale that is not finite.</exception>
    public static HoltWintersModel ReadFrom(BinaryReader reader, int maxSeason, bool offsetsAsDoubles = false)
    {
        double alpha = reader.ReadDouble(), beta = reader.ReadDouble(), gamma = reader.ReadDouble();
        double level = reader.ReadDouble(), trend = reader.ReadDouble();
        int nextPhase = reader.ReadInt32();
        double sse = reader.ReadDouble();
        int length = reader.ReadInt32();
        if (!(alpha is >= 0 and <= 1) || !(beta is >= 0 and <= 1) || !(gamma is >= 0 and <= 1))
            throw new InvalidDataException($"Holt-Winters weights {alpha}, {beta}, {gamma} outside [0, 1]");
        if (length < 2 || length > maxSeason || nextPhase < 0 || nextPhase >= length)
            throw new InvalidDataException($"Holt-Winters season of {length} steps at phase {nextPhase}");
        if (offsetsAsDoubles)
        {
            var offsets = new double[length];
            for (int i = 0; i < length; i++)
                offsets[i] = reader.ReadDouble();
            if (!offsets.All(double.IsFinite))
                throw new InvalidDataException("Holt-Winters season with an offset that is not finite");
            return new HoltWintersModel(alpha, beta, gamma, level, trend, offsets, nextPhase, sse);
        }
        double scale = reader.ReadDouble();
        if (!(scale > 0) || !double.IsFinite(scale))
            throw new InvalidDataException($"Holt-Winters season scale {scale}");
        var season = new Half[length];
        for (int i = 0; i < length; i++)
        {
            season[i] = BitConverter.UInt16BitsToHalf(reader.ReadUInt16());
            if (!Half.IsFinite(season[i]))
                throw new InvalidDataException("Holt-Winters season with an offset that is not finite");
        }
        return new HoltWintersModel(alpha, beta, gamma, level, trend, season, scale, nextPhase, sse);
    }

    /// <summary>The largest offset's size, so that every stored offset lies within [-1, 1]; 1 for a flat season.</summary>
    private static double ScaleOf(ReadOnlySpan<double> season)
    {
        double largest = 0;
        foreach (double offset in season)
            largest = Math.Max(largest, Math.Abs(offset));
        return largest > 0 && double.IsFinite(largest) ? largest : 1;
    }
}
