using Sidecar.Expose;
using Sidecar.Model;
using Sidecar.Score;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>What the pipeline remembers about one series between steps. Touched only by the inference loop.</summary>
internal sealed class SeriesState(Series series)
{
    /// <summary>The series this state belongs to; a newer series that takes its id after it was forgotten gets a state of its own.</summary>
    public Series Series { get; } = series;

    /// <summary>The series' label set rendered, under which the model keeps its scaler.</summary>
    public string Key { get; } = series.Labels.ToString();

    public SeriesGauges? Gauges;

    public AnomalyScorer Scorer;

    public double LastScore;

    /// <summary>The score was above 1 at the last scored step: the next crossing is a recovery.</summary>
    public bool Anomalous;

    public ScoreSurprise Surprise;

    /// <summary>The newest score's surprise against the series' own recent scores; 0 when turned off.</summary>
    public double LastSurprise;

    /// <summary>The newest step's novelty: how far it went beyond the series' records (0 where it isn't an onset).</summary>
    public double LastNovelty;

    /// <summary>The newest step fed into the carried LSTM state; <see cref="long.MinValue"/> when the state is not warm.</summary>
    public long StateStep = long.MinValue;

    /// <summary>The newest closed step already processed.</summary>
    public long ProcessedStep = long.MinValue;

    /// <summary>Where this series' reads of its history stood at the last step: the newest closed step, a day and a week before it.</summary>
    public HistoryCursor NewestRead, DayAgoRead, WeekAgoRead;

    /// <summary>The fallback's sliding <c>predict_linear</c> fit while no model serves this series; dropped once one does.</summary>
    public SlidingPredictLinear? FallbackLine;

    /// <summary>The step that <see cref="PendingOneStep"/> predicts, made one step earlier.</summary>
    public long PendingStep = long.MinValue;

    public float PendingOneStep;

    /// <summary>The one-step interval around <see cref="PendingOneStep"/>: median − lower and upper − median; NaN without an interval.</summary>
    public float PendingLowerGap = float.NaN, PendingUpperGap = float.NaN;

    /// <summary>Whether <see cref="PendingOneStep"/> came from a trained model: only those residuals are scored.</summary>
    public bool PendingFromModel;

    /// <summary>Actual − one-step prediction at the newest processed step; NaN when there was none.</summary>
    public double LastResidual = double.NaN;

    /// <summary>With <c>model.combine</c>: the LSTM's median combined with this series' fitted Holt-Winters; null until its first fit.</summary>
    public ForecastCombination? Combination;

    /// <summary>The LSTM's own median per horizon at <see cref="ForecastStep"/>, before any combination.</summary>
    public float[]? LstmMedians;

    /// <summary>The newest forecast, per horizon: lower, median, upper; made at <see cref="ForecastStep"/>.</summary>
    public float[]? Forecast;

    public long ForecastStep = long.MinValue;

    /// <summary>The series' value at <see cref="ForecastStep"/>: where the forecast path starts.</summary>
    public float ForecastOrigin = float.NaN;

    /// <summary>The forecaster that made <see cref="Forecast"/>: the LSTM or the fallback baseline.</summary>
    public string ForecastModel = "";

    /// <summary>The last observed scaled value fed to the network (inputs of missing steps carry it) and the smoothed levels.</summary>
    public InputLevels Levels = InputLevels.Unknown;

    /// <summary>The scaler in use with the current model: the model's own, or fitted on this series' history.</summary>
    public RobustScaler Scaler;

    /// <summary>The series' covariates as last resolved, one per configured metric (null where none matches).</summary>
    public Series?[] Covariates = [];

    /// <summary>The store size <see cref="Covariates"/> was resolved at; new series may add matches.</summary>
    public int CovariatesResolvedAt = -1;

    /// <summary>The model generation <see cref="Scaler"/> belongs to.</summary>
    public int ScalerGeneration = -1;
}
