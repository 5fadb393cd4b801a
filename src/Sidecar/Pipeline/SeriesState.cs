using Sidecar.Expose;
using Sidecar.Model;
using Sidecar.Score;

namespace Sidecar.Pipeline;

/// <summary>What the pipeline remembers about one series between steps. Touched only by the inference loop.</summary>
internal sealed class SeriesState
{
    public SeriesGauges? Gauges;

    public AnomalyScorer Scorer;

    public double LastScore;

    /// <summary>The newest closed step already processed.</summary>
    public long ProcessedStep = long.MinValue;

    /// <summary>The step that <see cref="PendingOneStep"/> predicts, made one step earlier.</summary>
    public long PendingStep = long.MinValue;

    public float PendingOneStep;

    /// <summary>Scaler for a series the current model was not trained on, fitted on its own history.</summary>
    public MinMaxScaler? FallbackScaler;

    public TrainedModel? FallbackScalerModel;
}
