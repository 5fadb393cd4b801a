using Sidecar.Model;

namespace Sidecar.Pipeline;

/// <summary>Where a target's training stands, as the APIs and the web UI show it.</summary>
internal enum TrainingPhase
{
    /// <summary>No run yet: too little history, not due, or the history can't make a run succeed yet (see <see cref="TrainingStatusView.WaitingFor"/>).</summary>
    Waiting,
    Training,
    /// <summary>The last run ended; a model may or may not be in use (see <see cref="TrainingStatusView.ModelTrainedAt"/>).</summary>
    Idle,
}

/// <summary>A consistent copy of a <see cref="TrainingStatus"/>.</summary>
/// <param name="LastResult">A <see cref="Expose.SelfMetrics.TrainingResult"/> value, "cancelled" (shutdown), or null before the first run.</param>
/// <param name="ModelTrainedAt">When the model in use was trained; null while none is.</param>
/// <param name="WaitingFor">Why the target's history can't make a run succeed yet; null when it can.</param>
internal sealed record TrainingStatusView(
    TrainingPhase Phase,
    int Epoch,
    int MaxEpochs,
    double TrainLoss,
    double ValidationLoss,
    string? LastResult,
    DateTimeOffset? LastRunAt,
    string? LastError,
    DateTimeOffset? ModelTrainedAt,
    double ModelValidationLoss,
    bool RetrainRequested,
    string? WaitingFor = null);

/// <summary>
/// A target's training state, written by the training thread and read by request threads. Also carries
/// the one request that flows the other way: a retrain asked for through the API.
/// </summary>
internal sealed class TrainingStatus
{
    private readonly Lock _lock = new();
    private TrainingStatusView _view = new(TrainingPhase.Waiting, 0, 0, double.NaN, double.NaN, null, null, null, null, double.NaN, false);

    public TrainingStatusView View
    {
        get
        {
            lock (_lock)
                return _view;
        }
    }

    public void Started(int maxEpochs) =>
        Update(v => v with { Phase = TrainingPhase.Training, Epoch = 0, MaxEpochs = maxEpochs, TrainLoss = double.NaN, ValidationLoss = double.NaN, WaitingFor = null });

    /// <summary>A run was due but would fail on the history there is; the target waits, a model in use keeps serving.</summary>
    public void Wait(string reason) => Update(v => v with { WaitingFor = reason });

    public void Progressed(TrainingProgress progress) =>
        Update(v => v with { Epoch = progress.Epoch, MaxEpochs = progress.MaxEpochs, TrainLoss = progress.TrainLoss, ValidationLoss = progress.ValidationLoss });

    public void Finished(string result, DateTimeOffset at, string? error = null) =>
        Update(v => v with { Phase = TrainingPhase.Idle, LastResult = result, LastRunAt = at, LastError = error });

    /// <summary>A model went into use: freshly trained, or loaded from disk at start.</summary>
    public void Adopted(ModelDescription model) =>
        Update(v => v with { Phase = v.Phase == TrainingPhase.Waiting ? TrainingPhase.Idle : v.Phase, ModelTrainedAt = model.TrainedAt, ModelValidationLoss = model.ValidationLoss });

    public void RequestRetrain() => Update(v => v with { RetrainRequested = true });

    /// <summary>True once per request: the scheduler trains the target at its next check, due or not.</summary>
    public bool TakeRetrainRequest()
    {
        lock (_lock)
        {
            if (!_view.RetrainRequested)
                return false;
            _view = _view with { RetrainRequested = false };
            return true;
        }
    }

    private void Update(Func<TrainingStatusView, TrainingStatusView> change)
    {
        lock (_lock)
            _view = change(_view);
    }
}
