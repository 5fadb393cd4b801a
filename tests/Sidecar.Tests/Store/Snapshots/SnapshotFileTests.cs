using Microsoft.Extensions.Logging.Abstractions;
using Sidecar.Host;
using Sidecar.Ingest;
using Sidecar.Store;
using Sidecar.Store.Snapshots;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store.Snapshots;

public sealed class SnapshotFileTests : IDisposable
{
    private const long T0 = 1_700_000_000_000;
    private readonly string _directory = Directory.CreateTempSubdirectory("snapshot-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static SeriesStore StoreWithData()
    {
        var store = new SeriesStore(TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}"), new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0)));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            WriteRequests.Series("test_a", ("job", "x")).With((T0, 1), (T0 + 1000, 2), (T0 + 3000, 4), (T0 + 3500, 4.5)),
            WriteRequests.Series("test_b", ("job", "y"), ("zone", "ü")).With((T0, 10), (T0 + 1000, Sidecar.Protocol.StaleMarker.Value))));
        return store;
    }

    private static float[] History(Series series, int steps)
    {
        var values = new float[steps];
        series.CopyHistory(T0 / 1000 + steps - 1, values);
        return values;
    }

    [Fact]
    public void RoundTripsEverySeriesWithItsHistory()
    {
        var original = StoreWithData();
        Assert.Equal(2, SnapshotFile.Write(_directory, original));
        var restored = new SeriesStore(TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}"), AMinuteLater());
        Assert.Equal((2, 0), restored.Restore(SnapshotFile.Read(_directory)!));

        var before = original.Targets[0].Snapshot().ToDictionary(s => s.Labels.ToString());
        foreach (var series in restored.Targets[0].Snapshot())
        {
            var old = before[series.Labels.ToString()];
            Assert.Equal(History(old, 4), History(series, 4));
            Assert.Equal(old.Ended, series.Ended);
            Assert.Equal(old.LastClosedStep, series.LastClosedStep);
        }
        // Live data after the restart reaches the restored series, and the newest step keeps its latest sample.
        RemoteWriteV1Decoder.Ingest(restored, WriteRequests.Encode(WriteRequests.Series("test_a", ("job", "x")).With((T0 + 3200, 99), (T0 + 4000, 5))));
        var a = restored.Targets[0].Snapshot().Single(s => s.Labels.MetricName == "test_a");
        Assert.Equal([1f, 2, float.NaN, 4.5f, 5], History(a, 5));
        Assert.Equal(2, restored.Targets[0].Count);
    }

    [Fact]
    public void SkipsSeriesWhoseTargetChanged()
    {
        SnapshotFile.Write(_directory, StoreWithData());
        var settings = TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}");
        settings = settings with { Targets = [settings.Targets[0] with { Step = TimeSpan.FromSeconds(2) }] };
        var otherStep = new SeriesStore(settings, AMinuteLater());
        Assert.Equal((0, 2), otherStep.Restore(SnapshotFile.Read(_directory)!));
        var narrower = new SeriesStore(TestSettings.SmallTarget(selector: "test_a"), AMinuteLater());
        Assert.Equal((1, 1), narrower.Restore(SnapshotFile.Read(_directory)!));
    }

    [Theory]
    [InlineData(1200)]
    [InlineData(2)]
    public void AChangedHistoryKeepsTheNewestStepsThatFit(int historySteps)
    {
        // An upgrade whose default history is longer (7d became 8d), or a config that shortened it: the
        // series come back with as much of their history as the new length holds, newest first.
        var original = StoreWithData();
        SnapshotFile.Write(_directory, original);
        var settings = TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}");
        settings = settings with { Targets = [settings.Targets[0] with { HistorySteps = historySteps, ForgetAfterMs = 600_000 }] };
        var restored = new SeriesStore(settings, AMinuteLater());
        Assert.Equal((2, 0), restored.Restore(SnapshotFile.Read(_directory)!));
        var a = restored.Targets[0].Snapshot().Single(s => s.Labels.MetricName == "test_a");
        float[] saved = History(original.Targets[0].Snapshot().Single(s => s.Labels.MetricName == "test_a"), 4);
        Assert.Equal(historySteps >= 4 ? saved : [float.NaN, float.NaN, .. saved[^2..]], History(a, 4));
    }

    // The snapshot's series last wrote at T0, within the 10m history the test target keeps.
    private static ManualTimeProvider AMinuteLater() => new(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 60_000));

    [Fact]
    public void ASeriesForgottenWhileTheSidecarWasDownIsNotRestored()
    {
        SnapshotFile.Write(_directory, StoreWithData());
        // Retention is the history, 10m: the series wrote last at T0 (+ received then, by the store's clock).
        var withinRetention = new SeriesStore(TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}"), new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 9 * 60_000)));
        Assert.Equal((2, 0), withinRetention.Restore(SnapshotFile.Read(_directory)!));
        var pastRetention = new SeriesStore(TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}"), new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0 + 11 * 60_000)));
        Assert.Equal((0, 2), pastRetention.Restore(SnapshotFile.Read(_directory)!));
        Assert.Equal(0, pastRetention.SeriesCount);
    }

    [Fact]
    public void DetectsCorruptionAndTruncation()
    {
        Assert.Null(SnapshotFile.Read(_directory));
        SnapshotFile.Write(_directory, StoreWithData());
        string path = Path.Combine(_directory, SnapshotFile.FileName);
        byte[] good = File.ReadAllBytes(path);
        for (int position = 0; position < good.Length; position += 7)
        {
            byte[] bad = (byte[])good.Clone();
            bad[position] ^= 0x40;
            File.WriteAllBytes(path, bad);
            Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(_directory));
        }
        foreach (int length in new[] { 0, 5, 20, good.Length / 2, good.Length - 1 })
        {
            File.WriteAllBytes(path, good[..length]);
            Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(_directory));
        }
    }

    [Fact]
    public void ACorruptSnapshotIsMovedAsideAndTheStoreStartsEmpty()
    {
        SnapshotFile.Write(_directory, StoreWithData());
        string path = Path.Combine(_directory, SnapshotFile.FileName);
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..40]);
        var settings = TestSettings.SmallTarget(selector: "{__name__=~\"test_.*\"}");
        var store = new SeriesStore(settings, TimeProvider.System);
        var service = new SnapshotService(store, new SettingsHolder(settings), new StoragePath(_directory), new Readiness(), TimeProvider.System, NullLogger<SnapshotService>.Instance);
        service.Restore();
        Assert.Equal(0, store.SeriesCount);
        Assert.False(File.Exists(path));
        Assert.Single(Directory.GetFiles(_directory, SnapshotFile.FileName + ".corrupt-*"));
    }
}
