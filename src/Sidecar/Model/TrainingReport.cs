namespace Sidecar.Model;

/// <summary>The outcome of one training run, for logs and self-metrics.</summary>
internal sealed record TrainingReport(int Examples, int Epochs, double TrainLoss, double ValidationLoss, TimeSpan Duration);
