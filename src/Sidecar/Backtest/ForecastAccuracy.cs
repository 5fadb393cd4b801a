namespace Sidecar.Backtest;

/// <summary>
/// The accuracy of several models over one series: point errors and interval calibration per model per
/// horizon, and the naive scale that turns each MAE into MASE. Every accumulator is created up front,
/// so scoring an outcome allocates nothing.
/// </summary>
/// <remarks>
/// A backtest feeds <see cref="TrainingScale"/> with the history a forecast was made from, and then
/// scores each forecast once its outcome is known. Models and horizons are addressed by their index in
/// the lists given to the constructor.
/// </remarks>
internal sealed class ForecastAccuracy
{
    private readonly string[] _models;
    private readonly int[] _horizonSteps;
    private readonly PointErrorAccumulator[] _pointErrors;
    private readonly IntervalAccumulator[] _intervals;

    /// <param name="models">The <c>model</c> label value of each model, e.g. <c>seasonal_naive</c>.</param>
    /// <param name="horizonSteps">The horizons scored, in steps after the forecast's last step.</param>
    /// <param name="seasonSteps">Steps per day, for the MASE scale.</param>
    public ForecastAccuracy(IReadOnlyList<string> models, ReadOnlySpan<int> horizonSteps, int seasonSteps)
    {
        if (models.Count == 0 || horizonSteps.IsEmpty)
            throw new ArgumentException("backtest: accuracy needs at least one model and one horizon");
        _models = [.. models];
        _horizonSteps = horizonSteps.ToArray();
        int cells = _models.Length * _horizonSteps.Length;
        _pointErrors = new PointErrorAccumulator[cells];
        _intervals = new IntervalAccumulator[cells];
        for (int i = 0; i < cells; i++)
        {
            _pointErrors[i] = new PointErrorAccumulator();
            _intervals[i] = new IntervalAccumulator();
        }
        TrainingScale = new NaiveScaleAccumulator(seasonSteps);
    }

    public IReadOnlyList<string> Models => _models;

    public ReadOnlySpan<int> HorizonSteps => _horizonSteps;

    /// <summary>The MASE denominator; observe the training history through it.</summary>
    public NaiveScaleAccumulator TrainingScale { get; }

    public void AddPoint(int model, int horizon, float actual, float forecast) =>
        _pointErrors[Cell(model, horizon)].Add(actual, forecast);

    public void AddInterval(int model, int horizon, float actual, float lower, float upper) =>
        _intervals[Cell(model, horizon)].Add(actual, lower, upper);

    public AccuracySummary Summarise(int model, int horizon)
    {
        int cell = Cell(model, horizon);
        var points = _pointErrors[cell];
        var intervals = _intervals[cell];
        return new AccuracySummary(
            _models[model],
            _horizonSteps[horizon],
            points.Count,
            points.MissingForecasts,
            points.MeanAbsoluteError,
            points.SymmetricMeanAbsolutePercentageError,
            points.MeanAbsoluteScaledError(TrainingScale.Scale),
            intervals.Count,
            intervals.Coverage,
            intervals.MeanWidth);
    }

    private int Cell(int model, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)model, (uint)_models.Length, nameof(model));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)horizon, (uint)_horizonSteps.Length, nameof(horizon));
        return model * _horizonSteps.Length + horizon;
    }
}
