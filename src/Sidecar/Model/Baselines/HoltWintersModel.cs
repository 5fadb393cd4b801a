namespace Sidecar.Model.Baselines;

/// <summary>
/// A fitted additive Holt-Winters model (<see cref="HoltWintersFit"/>) that goes on filtering: between refits
/// each new step updates level, trend and that phase's offset with the fitted weights, as a forecaster
/// refitting daily would run it. Forecast h steps ahead: level + h·trend + the offset of that step's phase.
/// </summary>
/// <remarks>
/// The seasonal offsets are kept in single precision, as the store keeps the values they come from: a
/// season of 1,440 steps (a day at 1m) is most of what <c>model.combine</c> holds per series, and half
/// the bytes in doubles. Level and trend, which every step updates, stay in double precision.
/// </remarks>
internal sealed class HoltWintersModel
{
    private readonly float[] _season;
    private double _level;
    private double _trend;
    private int _nextPhase;

    public HoltWintersModel(double alpha, double beta, double gamma, double level, double trend, ReadOnlySpan<double> season, int nextPhase, double sse)
        : this(alpha, beta, gamma, level, trend, ToSingle(season), nextPhase, sse)
    {
    }

    private HoltWintersModel(double alpha, double beta, double gamma, double level, double trend, float[] season, int nextPhase, double sse)
    {
        (Alpha, Beta, Gamma, SumOfSquaredErrors) = (alpha, beta, gamma, sse);
        (_level, _trend, _nextPhase) = (level, trend, nextPhase);
        _season = season;
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
        _nextPhase = (k + 1) % _season.Length;
        if (double.IsNaN(value))
        {
            _level += _trend;
            return;
        }
        double offset = _season[k];
        double next = Alpha * (value - offset) + (1 - Alpha) * (_level + _trend);
        _trend = Beta * (next - _level) + (1 - Beta) * _trend;
        _season[k] = (float)(Gamma * (value - next) + (1 - Gamma) * offset);
        _level = next;
    }

    /// <summary>The forecast <paramref name="steps"/> (at least 1) after the last observed step.</summary>
    public double Forecast(int steps) => _level + steps * _trend + _season[(int)((_nextPhase + (long)steps - 1) % _season.Length)];

    /// <summary>The season's length in steps.</summary>
    public int SeasonSteps => _season.Length;

    /// <summary>A copy that goes on filtering independently of this one.</summary>
    public HoltWintersModel Clone() => new(Alpha, Beta, Gamma, _level, _trend, (float[])_season.Clone(), _nextPhase, SumOfSquaredErrors);

    /// <summary>Writes the weights and the states as they are now, for the scoring state kept across restarts.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        writer.Write(Alpha);
        writer.Write(Beta);
        writer.Write(Gamma);
        writer.Write(_level);
        writer.Write(_trend);
        writer.Write(_nextPhase);
        writer.Write(SumOfSquaredErrors);
        writer.Write(_season.Length);
        // Written as doubles, as before the offsets were kept in single precision: the file format stays.
        foreach (float offset in _season)
            writer.Write((double)offset);
    }

    /// <exception cref="InvalidDataException">A weight outside [0, 1], a season longer than <paramref name="maxSeason"/>, or a phase outside it.</exception>
    public static HoltWintersModel ReadFrom(BinaryReader reader, int maxSeason)
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
        var offsets = new float[length];
        for (int i = 0; i < length; i++)
            offsets[i] = (float)reader.ReadDouble();
        return new HoltWintersModel(alpha, beta, gamma, level, trend, offsets, nextPhase, sse);
    }

    private static float[] ToSingle(ReadOnlySpan<double> values)
    {
        var single = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            single[i] = (float)values[i];
        return single;
    }
}
