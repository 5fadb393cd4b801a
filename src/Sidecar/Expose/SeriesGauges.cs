namespace Sidecar.Expose;

/// <summary>
/// The exposed gauges of one series: a value per gauge in one array, and the series' label text, rendered
/// once. Setting a value is a store into the array: it neither allocates nor takes a lock.
/// </summary>
/// <remarks>
/// Slots (<see cref="SlotsOf"/>): the horizons' medians, lower edges and upper edges, then the anomaly
/// score, the residual, the surprise, the novelty and the two threshold crossings. A gauge that is not
/// exposed holds <see cref="HiddenBits"/>, a NaN that <see cref="ExposedGauge.Set"/> never stores (it turns
/// every NaN it is given into the ordinary one), so hiding and the value are one store and a scrape never
/// sees them torn.
/// </remarks>
internal sealed class SeriesGauges
{
    /// <summary>A signalling NaN, which no computation hands in: arithmetic and conversions make quiet ones.</summary>
    internal const long HiddenBits = 0x7FF0_0000_0000_0001;

    private readonly ForecastGauges _owner;
    private readonly double[] _values;
    private readonly int _horizons;

    internal SeriesGauges(ForecastGauges owner, string model, byte[] labelText, byte[][] horizonLabels, byte[][] crossingLabels,
        bool withInterval, bool withSurprise, bool withNovelty)
    {
        _owner = owner;
        Model = model;
        LabelText = labelText;
        HorizonLabels = horizonLabels;
        CrossingLabels = crossingLabels;
        HasSurprise = withSurprise;
        HasNovelty = withNovelty;
        _horizons = horizonLabels.Length;
        _values = new double[CrossingFirst + crossingLabels.Length];
        // Like a new prometheus-net child, each gauge is exposed at 0 from the start, except the interval of a
        // forecaster without one and the scores the target does not compute: a scrape writes every slot that
        // is not hidden.
        if (!withInterval)
        {
            for (int h = 0; h < _horizons; h++)
            {
                Lower(h).Unpublish();
                Upper(h).Unpublish();
            }
        }
        if (!withSurprise)
            One(GaugeKind.Surprise, 0).Unpublish();
        if (!withNovelty)
            One(GaugeKind.Novelty, 0).Unpublish();
    }

    /// <summary>The forecaster the gauges are labelled with.</summary>
    public string Model { get; }

    /// <summary>False when <c>anomaly.surprise_window</c> is 0.</summary>
    public bool HasSurprise { get; }

    /// <summary>False when <c>anomaly.novelty_tolerance</c> is 0.</summary>
    public bool HasNovelty { get; }

    /// <summary>The series' labels as exposed, escaped and UTF-8: <c>a="x",metric="m",target="t"</c>.</summary>
    internal byte[] LabelText { get; }

    /// <summary>Per horizon, the labels after the series' own: <c>,horizon="5m",model="lstm"</c>.</summary>
    internal byte[][] HorizonLabels { get; }

    /// <summary>Per crossing gauge (none without capacity planning): <c>,quantile="0.5"</c>.</summary>
    internal byte[][] CrossingLabels { get; }

    /// <summary>The median forecast at horizon <paramref name="horizon"/>, in the target's horizon order.</summary>
    public ExposedGauge Predicted(int horizon) => One(GaugeKind.Predicted, horizon);

    public ExposedGauge Lower(int horizon) => One(GaugeKind.Lower, horizon);

    public ExposedGauge Upper(int horizon) => One(GaugeKind.Upper, horizon);

    // The single gauges straight from their slots: the step sets them on every series, and SlotsOf's lookup
    // by kind cost more than the stores (issue 19).
    public ExposedGauge Anomaly => new(_values, AnomalySlot);

    public ExposedGauge Residual => new(_values, AnomalySlot + 1);

    public ExposedGauge? Surprise => HasSurprise ? new ExposedGauge(_values, AnomalySlot + 2) : null;

    public ExposedGauge? Novelty => HasNovelty ? new ExposedGauge(_values, AnomalySlot + 3) : null;

    // The layout of the slots (see the remarks), in one place: the horizons' medians, lower edges and upper
    // edges, the four scores from AnomalySlot on, then the crossings.
    private int LowerFirst => _horizons;

    private int UpperFirst => _horizons * 2;

    private int AnomalySlot => _horizons * 3;

    private int CrossingFirst => AnomalySlot + 4;

    /// <summary>
    /// Sets every horizon's lower edge, median and upper edge from <paramref name="forecast"/>, which holds
    /// them per horizon in that order: the same stores as through <see cref="Lower"/>, <see cref="Predicted"/>
    /// and <see cref="Upper"/>, without looking each slot up by kind, since the step does it for every series.
    /// </summary>
    public void SetForecast(ReadOnlySpan<float> forecast)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(forecast.Length, _horizons * 3);
        double[] values = _values;
        for (int h = 0; h < _horizons; h++)
        {
            ExposedGauge.Store(values, h, forecast[h * 3 + 1]);
            ExposedGauge.Store(values, LowerFirst + h, forecast[h * 3]);
            ExposedGauge.Store(values, UpperFirst + h, forecast[h * 3 + 2]);
        }
    }

    /// <summary>
    /// Sets the four scores: the anomaly score, the residual (hidden where NaN: no residual yet), and the
    /// surprise and novelty where the target computes them. The same stores as through <see cref="Anomaly"/>,
    /// <see cref="Residual"/>, <see cref="Surprise"/> and <see cref="Novelty"/>, in one call as
    /// <see cref="SetForecast"/> sets the forecast's: the step sets them on every series, and the optional
    /// gauges' nullable wrappers showed in its perf profile (0.7 % of its managed samples; no difference
    /// measured in <c>StepScoringBenchmarks</c>, 19.1 against 18.9 µs, issue 19).
    /// </summary>
    public void SetScores(double anomaly, double residual, double surprise, double novelty)
    {
        double[] values = _values;
        int slot = AnomalySlot;
        ExposedGauge.Store(values, slot, anomaly);
        if (double.IsNaN(residual))
            new ExposedGauge(values, slot + 1).Unpublish();
        else
            ExposedGauge.Store(values, slot + 1, residual);
        if (HasSurprise)
            ExposedGauge.Store(values, slot + 2, surprise);
        if (HasNovelty)
            ExposedGauge.Store(values, slot + 3, novelty);
    }

    /// <summary>With capacity planning: seconds to the crossing on the median path (0), then on the pessimistic one (1).</summary>
    public ExposedGauge Crossing(int index) => One(GaugeKind.Crossing, index);

    /// <summary>Where the gauges of one kind sit in the slots, and the labels each adds to the series' own.</summary>
    internal (int First, int Count, byte[][] Labels) SlotsOf(GaugeKind kind) => kind switch
    {
        GaugeKind.Predicted => (0, _horizons, HorizonLabels),
        GaugeKind.Lower => (LowerFirst, _horizons, HorizonLabels),
        GaugeKind.Upper => (UpperFirst, _horizons, HorizonLabels),
        GaugeKind.Anomaly => (AnomalySlot, 1, []),
        GaugeKind.Residual => (AnomalySlot + 1, 1, []),
        GaugeKind.Surprise => (AnomalySlot + 2, 1, []),
        GaugeKind.Novelty => (AnomalySlot + 3, 1, []),
        GaugeKind.Crossing => (CrossingFirst, CrossingLabels.Length, CrossingLabels),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The value a scrape writes for <paramref name="slot"/>; false when it is hidden.</summary>
    internal bool TryRead(int slot, out double value)
    {
        value = Volatile.Read(ref _values[slot]);
        return BitConverter.DoubleToInt64Bits(value) != HiddenBits;
    }

    /// <summary>Takes the series off /metrics, so Prometheus marks it stale at the next scrape.</summary>
    public void Remove() => _owner.Forget(this);

    private ExposedGauge One(GaugeKind kind, int index)
    {
        var (first, count, _) = SlotsOf(kind);
        return (uint)index < (uint)count ? new ExposedGauge(_values, first + index) : throw new ArgumentOutOfRangeException(nameof(index));
    }
}

/// <summary>The gauge families of a series, in the order of its slots.</summary>
internal enum GaugeKind { Predicted, Lower, Upper, Anomaly, Residual, Surprise, Novelty, Crossing }

/// <summary>One gauge of a series: a slot of its <see cref="SeriesGauges"/>.</summary>
internal readonly struct ExposedGauge(double[] values, int slot)
{
    /// <summary>Exposes <paramref name="value"/> (NaN included) from the next scrape on.</summary>
    public void Set(double value) => Store(values, slot, value);

    /// <summary>What <see cref="Set"/> does, for a caller that sets several slots of one series.</summary>
    internal static void Store(double[] values, int slot, double value) =>
        Volatile.Write(ref values[slot], double.IsNaN(value) ? double.NaN : value);

    /// <summary>Leaves the gauge out of scrapes until the next <see cref="Set"/>.</summary>
    public void Unpublish() => Volatile.Write(ref values[slot], BitConverter.Int64BitsToDouble(SeriesGauges.HiddenBits));

    /// <summary>The value exposed now; NaN when hidden.</summary>
    public double Value => values[slot] is var v && BitConverter.DoubleToInt64Bits(v) == SeriesGauges.HiddenBits ? double.NaN : v;
}
