namespace Sidecar.Store;

/// <summary>
/// What to do with the samples of one distinct label set: the series (one per matching target) they
/// feed, nothing (no target selects it), or a rejection with its reason. Cached per label set.
/// </summary>
internal sealed class SeriesRoute
{
    public static readonly SeriesRoute Unselected = new([], null);

    /// <summary>Selected, but refused by <c>limits.max_series</c>; never cached, so it is retried later.</summary>
    public static readonly SeriesRoute OverLimit = new([], null);

    private SeriesRoute(Series[] series, string? invalidReason)
    {
        Series = series;
        InvalidReason = invalidReason;
        HasSeries = series.Length > 0;
        Only = series.Length == 1 ? series[0] : null;
    }

    public Series[] Series { get; }

    /// <summary>Whether any target stores these samples; read from the route itself, not its array.</summary>
    public bool HasSeries { get; }

    /// <summary>
    /// The route's series when it has exactly one (one target selects the label set, the usual case), else
    /// null. Ingest reaches it from the route without loading the array: one miss fewer per sample of a
    /// series not in cache.
    /// </summary>
    public Series? Only { get; }

    /// <summary>Why the label set is invalid, or null when it is valid.</summary>
    public string? InvalidReason { get; }

    public static SeriesRoute To(Series[] series) => new(series, null);

    public static SeriesRoute Invalid(string reason) => new([], reason);
}
