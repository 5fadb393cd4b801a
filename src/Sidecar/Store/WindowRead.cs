namespace Sidecar.Store;

/// <summary>
/// What <see cref="Series.ReadWindowEdges"/> or <see cref="Series.CopyWindow"/> read of a window of history
/// (NaN for gaps), with what a caller that keeps sums of the window from one step to the next needs to
/// know whether values it read earlier still hold.
/// </summary>
/// <param name="Newest">The value at the window's newest step.</param>
/// <param name="Oldest">The value at the window's oldest step.</param>
/// <param name="Version">
/// The ring's <see cref="StepRing.Version"/>: while it stays the same, encoded values stay as they were.
/// </param>
/// <param name="NewestOpen">The newest step is still being filled: its value may change without the version changing.</param>
/// <param name="LatePending">
/// Late samples wait to be encoded (<see cref="Series.EndBatch"/>): they may have filled gaps anywhere in the
/// window before the version changes, so a caller reads the window whole.
/// </param>
internal readonly record struct WindowRead(float Newest, float Oldest, int Version, bool NewestOpen, bool LatePending);
