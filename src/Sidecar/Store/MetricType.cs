namespace Sidecar.Store;

/// <summary>A metric family's type as remote-write metadata states it (same numbers in v1 and v2).</summary>
internal enum MetricType
{
    Unknown = 0,
    Counter = 1,
    Gauge = 2,
    Histogram = 3,
    GaugeHistogram = 4,
    Summary = 5,
    Info = 6,
    StateSet = 7,
}
