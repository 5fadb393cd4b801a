namespace Sidecar.Model;

/// <summary>The outcome of one training run, for logs and self-metrics.</summary>
internal sealed record TrainingReport(int Series, long TrainSteps, int Epochs, double TrainLoss, double ValidationLoss, TimeSpan Duration);

/// <summary>Where a training run is, reported after every epoch.</summary>
internal readonly record struct TrainingProgress(int Epoch, int MaxEpochs, double TrainLoss, double ValidationLoss, double BestValidationLoss, TimeSpan Elapsed)
{
    /// <summary>Time left if every remaining epoch runs; early stopping usually ends sooner.</summary>
    public TimeSpan WorstCaseRemaining => Epoch == 0 ? TimeSpan.Zero : Elapsed / Epoch * (MaxEpochs - Epoch);
}
