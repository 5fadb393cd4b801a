namespace Sidecar.Store;

/// <summary>
/// What <see cref="Series.ReadClosedStep"/> read: the newest closed step (<see cref="long.MinValue"/> for a
/// series with no history), its value, and the values a day and a week before it; NaN for gaps and for
/// lags not read.
/// </summary>
internal readonly record struct StepReads(long Step, float Value, float DayAgo, float WeekAgo);
