using Sidecar.Store;

namespace Sidecar.Ingest;

/// <summary>
/// How a protocol version routes a label set the route table doesn't know yet: it decodes the label set
/// from the series' message and asks the store to decide its route (<see cref="SeriesStore.AddRoute"/>).
/// A struct per protocol, so <see cref="RouteBatch.Store"/> is compiled once for each and calls it directly.
/// </summary>
internal interface IRouteMisses
{
    /// <param name="message">The series' message, as the batch holds it.</param>
    /// <param name="scratch">The decoder's scratch, grown when the key doesn't fit.</param>
    /// <param name="result">Where the metadata the new route carries (remote-write 2.0) is counted.</param>
    SeriesRoute AddRoute(ReadOnlySpan<byte> message, ref byte[] scratch, ref IngestResult result);
}
