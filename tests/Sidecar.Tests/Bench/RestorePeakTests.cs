using Sidecar.Bench;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Store;
using Sidecar.Store.Snapshots;

namespace Sidecar.Tests.Bench;

public sealed class RestorePeakTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("restore-peak-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AChildProcessRestoresTheSnapshotAndReportsItsOwnPeak()
    {
        const long NowMs = 1_700_000_000_000;
        var clock = new Sidecar.Backtest.SimulatedClock(DateTimeOffset.FromUnixTimeMilliseconds(NowMs));
        var store = new SeriesStore(StoreMemory.Settings(), clock);
        for (int host = 0; host < 3; host++)
        {
            List<KeyValuePair<string, string>> labels = [new("__name__", "node_load1"), new("job", "node"), new("instance", $"host-{host}")];
            var samples = Enumerable.Range(0, 120).Select(i => new SampleValue(NowMs - (120 - i) * 60_000L, host + i / 10.0)).ToArray();
            store.Ingest(labels, samples);
        }
        Assert.Equal(3, SnapshotFile.Write(_directory, store));

        var (peakBytes, seconds, restored) = RestorePeak.InChildProcess(_directory, NowMs);

        // Every series came back in the child, and its peak is a whole process's: more than the runtime's
        // few megabytes, less than this machine could hold.
        Assert.Equal(3, restored);
        Assert.InRange(peakBytes, 10L << 20, 24L << 30);
        Assert.InRange(seconds, 0, 60);
    }
}
