using Google.Protobuf;
using Sidecar.Protocol;
using Sidecar.Protocol.Prompb;
using Sidecar.Ingest;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

public sealed class SeriesStoreTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private const long T0 = 1_700_000_000_000;

    private static SeriesStore NewStore(int maxSeries = 1000) =>
        new(TestSettings.SmallTarget(selector: "test_metric{job=\"a\"}", maxSeries: maxSeries), new ManualTimeProvider(Now));

    [Fact]
    public void StoresSelectedSeriesAndDropsTheRest()
    {
        var store = NewStore();
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            WriteRequests.Series("test_metric", ("job", "a")).With((T0, 1), (T0 + 1000, 2)),
            WriteRequests.Series("test_metric", ("job", "b")).With((T0, 1)),
            WriteRequests.Series("other", ("job", "a")).With((T0, 1))));
        Assert.Equal(2, result.SamplesAccepted);
        Assert.Equal(2, result.SamplesUnselected);
        var series = Assert.Single(store.Targets[0].Snapshot());
        Assert.Equal("test_metric{job=\"a\"}", series.Labels.ToString());
        Assert.Equal(T0 / 1000, series.LastClosedStep);
    }

    [Fact]
    public void UnsortedLabelsReachTheSameSeries()
    {
        var store = NewStore();
        var sorted = WriteRequests.Series("test_metric", ("job", "a"), ("zone", "z")).With((T0, 1));
        var unsorted = new TimeSeries();
        unsorted.Labels.Add(new Label { Name = "zone", Value = "z" });
        unsorted.Labels.Add(new Label { Name = "job", Value = "a" });
        unsorted.Labels.Add(new Label { Name = "__name__", Value = "test_metric" });
        unsorted.With((T0 + 1000, 2));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(sorted));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(unsorted));
        var series = Assert.Single(store.Targets[0].Snapshot());
        var history = new float[2];
        series.CopyHistory(T0 / 1000 + 1, history);
        Assert.Equal([1f, 2f], history);
    }

    [Fact]
    public void SamplesBeforeAndBetweenTheLabelsAreAllStored()
    {
        // Protobuf fields may come in any order: samples first, labels between samples. The samples are read
        // from the first samples field on, so none before or after a label may be missed.
        static byte[] Field(int number, IMessage message)
        {
            byte[] payload = message.ToByteArray();
            return [(byte)(number << 3 | 2), (byte)payload.Length, .. payload];
        }
        byte[] series = [.. Field(2, new Sample { Timestamp = T0, Value = 1 }), .. Field(1, new Label { Name = "__name__", Value = "test_metric" }),
            .. Field(2, new Sample { Timestamp = T0 + 1000, Value = 2 }), .. Field(1, new Label { Name = "job", Value = "a" }),
            .. Field(2, new Sample { Timestamp = T0 + 2000, Value = 3 })];
        byte[] request = [0x0a, (byte)series.Length, .. series];
        var store = NewStore();
        var result = RemoteWriteV1Decoder.Ingest(store, request);
        Assert.Equal(3, result.SamplesAccepted);
        var history = new float[3];
        Assert.Single(store.Targets[0].Snapshot()).CopyHistory(T0 / 1000 + 2, history);
        Assert.Equal([1f, 2f, 3f], history);
    }

    [Fact]
    public void StaleMarkerEndsTheSeriesAndOtherNonFiniteValuesAreGaps()
    {
        var store = NewStore();
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            WriteRequests.Series("test_metric", ("job", "a")).With((T0, 1), (T0 + 1000, double.NaN), (T0 + 2000, double.NegativeInfinity), (T0 + 3000, StaleMarker.Value))));
        Assert.Equal(1, result.SamplesAccepted);
        Assert.Equal(2, result.SamplesNonFinite);
        Assert.Equal(1, result.StaleMarkers);
        var series = Assert.Single(store.Targets[0].Snapshot());
        Assert.True(series.Ended);
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a")).With((T0 + 10_000, 5))));
        Assert.False(series.Ended);
    }

    [Fact]
    public void ResentSamplesAreIdempotent()
    {
        var store = NewStore();
        byte[] body = WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a")).With((T0, 1), (T0 + 1000, 2), (T0 + 2000, 3)));
        RemoteWriteV1Decoder.Ingest(store, body);
        RemoteWriteV1Decoder.Ingest(store, body);
        var series = Assert.Single(store.Targets[0].Snapshot());
        var history = new float[3];
        series.CopyHistory(T0 / 1000 + 2, history);
        Assert.Equal([1f, 2f, 3f], history);
    }

    [Fact]
    public void BackfilledHistoryFillsGapsAroundLiveDataWithoutDuplicates()
    {
        var store = NewStore();
        var labels = new List<KeyValuePair<string, string>> { new("__name__", "test_metric"), new("job", "a") };
        // Live data arrived first for steps 5, 6 and 9.
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a"))
            .With((T0 + 5000, 50), (T0 + 6000, 60), (T0 + 9000, 90))));
        // Backfill brings steps 0 to 9, with other values for the steps live data already has.
        var backfill = Enumerable.Range(0, 10).Select(i => new Sidecar.Protocol.RemoteWrite.SampleValue(T0 + i * 1000L, i)).ToArray();
        store.Ingest(labels, backfill);
        var series = Assert.Single(store.Targets[0].Snapshot());
        var history = new float[10];
        series.CopyHistory(T0 / 1000 + 9, history);
        Assert.Equal([0f, 1, 2, 3, 4, 50, 60, 7, 8, 90], history);
    }

    [Fact]
    public void AWholeHistoryOfBackfillBehindLiveDataMatchesTheSameSamplesWrittenInOrder()
    {
        const int History = 600, Live = 40, Page = 50; // the target keeps 10m at 1s: several encoded blocks
        var labels = new List<KeyValuePair<string, string>> { new("__name__", "test_metric"), new("job", "a") };
        long newest = T0 + (History - 1) * 1000L;
        var backfill = Enumerable.Range(0, History).Select(i => new Sidecar.Protocol.RemoteWrite.SampleValue(T0 + i * 1000L, 4096.0 * (1_000_000 + i / 3))).ToArray();
        var live = Enumerable.Range(History - Live, Live).Select(i => new Sidecar.Protocol.RemoteWrite.SampleValue(T0 + i * 1000L, 0.01 * i)).ToArray();

        var inOrder = NewStore();
        inOrder.Ingest(labels, [.. backfill[..(History - Live)], .. live]);

        // Live data first, then the backfill oldest page first, over the live steps too (which keep their values).
        var backfilled = NewStore();
        backfilled.Ingest(labels, live);
        for (int page = 0; page < History; page += Page)
            backfilled.Ingest(labels, backfill.AsSpan(page, Page));

        var expected = new float[History + 5];
        var actual = new float[History + 5];
        Assert.Single(inOrder.Targets[0].Snapshot()).CopyHistory(newest / 1000, expected);
        Assert.Single(backfilled.Targets[0].Snapshot()).CopyHistory(newest / 1000, actual);
        Assert.Equal(expected.Select(BitConverter.SingleToUInt32Bits), actual.Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(0.01f * (History - 1), actual[^1]);
        Assert.Equal(4096f * 1_000_000, actual[5]);
    }

    [Fact]
    public void InvalidSeriesAreReportedAndTheRestKept()
    {
        var store = NewStore();
        var duplicate = new TimeSeries();
        duplicate.Labels.Add(new Label { Name = "__name__", Value = "test_metric" });
        duplicate.Labels.Add(new Label { Name = "job", Value = "a" });
        duplicate.Labels.Add(new Label { Name = "job", Value = "b" });
        duplicate.With((T0, 1));
        var emptyName = WriteRequests.Series("test_metric", ("", "x")).With((T0, 1));
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(duplicate, emptyName, WriteRequests.Series("test_metric", ("job", "a")).With((T0, 1))));
        Assert.Equal(2, result.InvalidSeries);
        Assert.Contains("label job appears twice", result.FirstInvalid);
        Assert.Equal(1, result.SamplesAccepted);
    }

    [Fact]
    public void RefusesNewSeriesOverTheLimitAndCountsThem()
    {
        var store = NewStore(maxSeries: 2);
        var refused = new List<string>();
        store.SeriesOverLimit += (target, reason) => refused.Add(target + "/" + reason);
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            Enumerable.Range(0, 5).Select(i => WriteRequests.Series("test_metric", ("job", "a"), ("i", i.ToString())).With((T0, i))).ToArray()));
        Assert.Equal(2, store.SeriesCount);
        Assert.Equal(2, result.SamplesAccepted);
        Assert.Equal(3, result.SamplesOverLimit);
        Assert.Equal(["t/global_limit", "t/global_limit", "t/global_limit"], refused);
    }

    [Fact]
    public void ATargetLimitRefusesBeyondItsOwnCount()
    {
        var settings = TestSettings.SmallTarget(selector: "test_metric{job=\"a\"}");
        settings = settings with { Targets = [settings.Targets[0] with { MaxSeries = 3 }] };
        var store = new SeriesStore(settings, new ManualTimeProvider(Now));
        var refused = new List<string>();
        store.SeriesOverLimit += (target, reason) => refused.Add(reason);
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            Enumerable.Range(0, 5).Select(i => WriteRequests.Series("test_metric", ("job", "a"), ("i", i.ToString())).With((T0, i))).ToArray()));
        Assert.Equal(3, store.Targets[0].Count);
        Assert.Equal(2, result.SamplesOverLimit);
        Assert.Equal(["target_limit", "target_limit"], refused);
    }

    [Fact]
    public void ARequestOfSeveralLookupBatchesStoresEverySeriesInTheOrderReceived()
    {
        // The decoder routes a request's series in groups of RouteBatch.Capacity; a request spanning several
        // groups, with one label set again in a later group, stores everything, the repeat after the first.
        var store = NewStore(maxSeries: 2000);
        int count = 2 * RouteBatch.Capacity + 50;
        var series = Enumerable.Range(0, count)
            .Select(i => WriteRequests.Series("test_metric", ("job", "a"), ("i", i.ToString())).With((T0, i))).ToList();
        series.Add(WriteRequests.Series("test_metric", ("job", "a"), ("i", "3")).With((T0 + 1000, -3)));
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode([.. series]));

        Assert.Equal(count + 1, result.SamplesAccepted);
        Assert.Equal(count, store.SeriesCount);
        var history = new float[2];
        foreach (var stored in store.Targets[0].Snapshot())
        {
            int i = int.Parse(stored.Labels.ToString().Split("i=\"")[1].Split('"')[0]);
            stored.CopyHistory(T0 / 1000 + 1, history);
            Assert.Equal(i == 3 ? [3f, -3f] : [(float)i, float.NaN], history);
        }
    }

    [Fact]
    public void ANewLabelSetRepeatedAFewSeriesLaterInItsGroupStoresBothSamplesInOrder()
    {
        // The group store looks a series' route up a few series before storing it, so a label set first
        // seen at series i and repeated at i + d has no route yet when the repeat is looked up: it must
        // still reach the series the first one created, with both samples, for every distance d.
        var store = NewStore(maxSeries: 2000);
        var series = new List<Sidecar.Protocol.Prompb.TimeSeries>();
        for (int d = 1; d <= 24; d++)
        {
            series.Add(WriteRequests.Series("test_metric", ("job", "a"), ("d", d.ToString())).With((T0, d)));
            for (int filler = 1; filler < d; filler++)
                series.Add(WriteRequests.Series("test_metric", ("job", "a"), ("d", d.ToString()), ("filler", filler.ToString())).With((T0, 0)));
            series.Add(WriteRequests.Series("test_metric", ("job", "a"), ("d", d.ToString())).With((T0 + 1000, -d)));
        }
        Assert.True(series.Count < RouteBatch.Capacity * 2);
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode([.. series]));

        Assert.Equal(series.Count, result.SamplesAccepted);
        var history = new float[2];
        foreach (var stored in store.Targets[0].Snapshot().Where(s => !s.Labels.ToString().Contains("filler")))
        {
            int d = int.Parse(stored.Labels.ToString().Split("d=\"")[1].Split('"')[0]);
            stored.CopyHistory(T0 / 1000 + 1, history);
            Assert.Equal([(float)d, (float)-d], history);
        }
        Assert.Equal(24, store.Targets[0].Snapshot().Count(s => !s.Labels.ToString().Contains("filler")));
    }

    [Fact]
    public void AMalformedSeriesKeepsWhatCameBeforeItAndCountsItOnce()
    {
        // 100 valid series, one whose sample can't be read, 200 more: the first lookup batch holds all of
        // the first 100 and the broken one. The 100 are stored and counted once each, nothing after the
        // broken one is, as series by series, and the request is malformed.
        var store = NewStore(maxSeries: 2000);
        byte[] Valid(string prefix, int count) => WriteRequests.Encode([.. Enumerable.Range(0, count)
            .Select(i => WriteRequests.Series("test_metric", ("job", "a"), ("i", prefix + i)).With((T0, i)))]);
        // A selected series (an unselected one's samples are counted, never read) with a truncated sample.
        byte[] labels = WriteRequests.Series("test_metric", ("job", "a"), ("i", "broken")).ToByteArray();
        byte[] broken = [.. labels, 0x12, 0x02, 0xff, 0xff];
        byte[] request = [.. Valid("before", 100), 0x0a, (byte)broken.Length, .. broken, .. Valid("after", 200)];

        var result = RemoteWriteV1Decoder.Ingest(store, request);

        Assert.NotNull(result.Malformed);
        Assert.Equal(100, result.SamplesAccepted);
        Assert.Equal(100, store.Targets[0].Snapshot().Count(s => s.Labels.ToString().Contains("before")));
        Assert.DoesNotContain(store.Targets[0].Snapshot(), s => s.Labels.ToString().Contains("after"));
    }

    [Fact]
    public void ARemoteWrite2RequestOfSeveralLookupBatchesStoresEverySeriesInTheOrderReceived()
    {
        // Remote-write 2.0 is routed in the same groups: a request spanning several, with one label set again
        // in a later group and one twice in the same group while it is still new, stores everything in
        // order, and the metadata a new label set carries is recorded once, not once per occurrence.
        var store = NewStore(maxSeries: 2000);
        var request = new V2Requests();
        int count = 2 * RouteBatch.Capacity + 50;
        for (int i = 0; i < count; i++)
        {
            var series = request.Add([("__name__", "test_metric"), ("job", "a"), ("i", i.ToString())], (T0, i));
            if (i == 10)
                series.Metadata = new Sidecar.Protocol.Prompb.V2.Metadata { Type = Sidecar.Protocol.Prompb.V2.Metadata.Types.MetricType.Gauge, HelpRef = request.Ref("A test.") };
        }
        request.Add([("__name__", "test_metric"), ("job", "a"), ("i", "3")], (T0 + 1000, -3));
        request.Add([("__name__", "test_metric"), ("job", "a"), ("i", "10")], (T0 + 1000, -10)).Metadata =
            new Sidecar.Protocol.Prompb.V2.Metadata { Type = Sidecar.Protocol.Prompb.V2.Metadata.Types.MetricType.Gauge, HelpRef = request.Ref("A test.") };

        var result = RemoteWriteV2Decoder.Ingest(store, request.Encode());

        Assert.Null(result.Malformed);
        Assert.Equal(count + 2, result.SamplesAccepted);
        Assert.Equal(1, result.Metadata);
        Assert.Equal(new Sidecar.Store.MetricMetadata(Sidecar.Store.MetricType.Gauge, "A test.", ""), store.Metadata.Get("test_metric"));
        Assert.Equal(count, store.SeriesCount);
        var history = new float[2];
        foreach (var stored in store.Targets[0].Snapshot())
        {
            int i = int.Parse(stored.Labels.ToString().Split("i=\"")[1].Split('"')[0]);
            stored.CopyHistory(T0 / 1000 + 1, history);
            Assert.Equal(i is 3 or 10 ? [(float)i, -(float)i] : [(float)i, float.NaN], history);
        }
    }

    [Fact]
    public void AMalformedRemoteWrite2SeriesKeepsWhatCameBeforeItAndCountsItOnce()
    {
        // As for 1.0: 100 valid series, one whose sample can't be read, 200 more, all in one lookup group.
        var store = NewStore(maxSeries: 2000);
        var symbols = new V2Requests();
        for (int i = 0; i < 100; i++)
            symbols.Add([("__name__", "test_metric"), ("job", "a"), ("i", "before" + i)], (T0, i));
        var broken = new Sidecar.Protocol.Prompb.V2.TimeSeries { LabelsRefs = { symbols.Ref("__name__"), symbols.Ref("test_metric"), symbols.Ref("job"), symbols.Ref("a"), symbols.Ref("i"), symbols.Ref("broken") } };
        var after = new Sidecar.Protocol.Prompb.V2.Request();
        for (int i = 0; i < 200; i++)
        {
            after.Timeseries.Add(new Sidecar.Protocol.Prompb.V2.TimeSeries
            {
                LabelsRefs = { symbols.Ref("__name__"), symbols.Ref("test_metric"), symbols.Ref("job"), symbols.Ref("a"), symbols.Ref("i"), symbols.Ref("after" + i) },
                Samples = { new Sidecar.Protocol.Prompb.V2.Sample { Timestamp = T0, Value = i } },
            });
        }
        // The symbols and the first 100 series, then the broken series and the 200 (request fields 5, no symbols of their own).
        byte[] brokenSeries = [.. broken.ToByteArray(), 0x12, 0x02, 0xff, 0xff];
        byte[] request = [.. symbols.Encode(), 0x2a, (byte)brokenSeries.Length, .. brokenSeries, .. after.ToByteArray()];

        var result = RemoteWriteV2Decoder.Ingest(store, request);

        Assert.NotNull(result.Malformed);
        Assert.Equal(100, result.SamplesAccepted);
        Assert.Equal(100, store.Targets[0].Snapshot().Count(s => s.Labels.ToString().Contains("before")));
        Assert.DoesNotContain(store.Targets[0].Snapshot(), s => s.Labels.ToString().Contains("after"));
    }

    [Fact]
    public void AStepsReadsUnderOneLockAreWhatTheSeparateReadsGive()
    {
        // ReadClosedStep serves the inference step: the newest closed step at a time, its value and the values
        // a day and a week before it (here 3 and 7 steps), through cursors kept from one step to the next.
        var store = NewStore();
        long first = T0 / 1000;
        var samples = Enumerable.Range(0, 40).Where(i => i != 25).Select(i => (T0 + i * 1000L, (double)i)).ToArray();
        foreach (var sample in samples.Take(20))
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a")).With(sample)));
        Series series = Assert.Single(store.Targets[0].Snapshot());
        HistoryCursor newest = default, dayAgo = default, weekAgo = default;

        // The step being filled (19) is closed only once a whole further step has passed.
        Assert.Equal(new StepReads(first + 18, 18, 15, 11), series.ReadClosedStep(T0 + 20_999, 3, 7, ref newest, ref dayAgo, ref weekAgo));
        Assert.Equal(new StepReads(first + 19, 19, 16, 12), series.ReadClosedStep(T0 + 21_000, 3, 7, ref newest, ref dayAgo, ref weekAgo));
        // A lag of 0 reads nothing.
        Assert.Equal(new StepReads(first + 19, 19, float.NaN, float.NaN), series.ReadClosedStep(T0 + 21_000, 0, 0, ref newest, ref dayAgo, ref weekAgo));

        // Step by step, with a gap at 25, the cursors carried along: the same as the separate reads.
        foreach (var sample in samples.Skip(20))
        {
            RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a")).With(sample)));
            long now = sample.Item1 + 500;
            StepReads reads = series.ReadClosedStep(now, 3, 7, ref newest, ref dayAgo, ref weekAgo);
            long step = series.LastClosedStepAt(now);
            Assert.Equal(new StepReads(step, series.CopyHistoryAt(step), series.CopyHistoryAt(step - 3), series.CopyHistoryAt(step - 7)), reads);
        }
        Assert.Equal(new StepReads(first + 38, 38, 35, 31), series.ReadClosedStep(T0 + 39_500, 3, 7, ref newest, ref dayAgo, ref weekAgo));
        Assert.True(float.IsNaN(series.ReadClosedStep(T0 + 39_500, 13, 0, ref newest, ref dayAgo, ref weekAgo).DayAgo), "the gap at 25");
    }

    [Fact]
    public void TheDefaultHistoryHoldsTheValueAWeekBeforeEachClosedStep()
    {
        // The network's weekly-lag input and novelty's week-over-week view read the value a week before
        // the newest closed step. With history: 7d that step fell just outside the ring, always; the
        // default keeps a day more. Hourly steps keep the test short: the default history is 192 of them.
        var settings = Sidecar.Host.ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: hourly
                selector: test_metric
                step: 1h
                horizons: [1h]
                model:
                  window: 8
            """);
        const int WeekSteps = 7 * 24;
        Assert.Equal(WeekSteps, settings.Targets[0].Anomaly.Novelty!.WeekSteps);
        var store = new SeriesStore(settings, new ManualTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(T0)));
        const long HourMs = 3_600_000;
        long start = T0 / HourMs * HourMs;
        var history = WriteRequests.Series("test_metric", ("job", "a"));
        for (int i = 0; i < settings.Targets[0].HistorySteps + 48; i++)
            history.With((start + i * HourMs, (double)i));
        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(history));
        Series series = Assert.Single(store.Targets[0].Snapshot());
        HistoryCursor newest = default, dayAgo = default, weekAgo = default;
        // Whether the newest step is closed by time or not: both reads have their week-ago value.
        foreach (long now in new[] { start + (settings.Targets[0].HistorySteps + 47) * HourMs, long.MaxValue / 2 })
        {
            StepReads reads = series.ReadClosedStep(now, 24, WeekSteps, ref newest, ref dayAgo, ref weekAgo);
            Assert.Equal(reads.Value - WeekSteps, reads.WeekAgo);
        }
    }

    [Fact]
    public void ALabelSetTwoTargetsSelectFeedsBothAndOneOnlyItsOwn()
    {
        // A label set both targets select is routed to two series (the route's array); one only the first
        // selects goes to one (the route's single series). Samples, a batch's end and a stale marker reach
        // every series of the route, and nothing reaches a target that didn't select it.
        var settings = Sidecar.Host.ConfigLoader.Load("""
            demo:
              mode: off
            targets:
              - name: all
                selector: 'test_metric'
                step: 1s
                horizons: [5s]
                history: 10m
              - name: job_a
                selector: 'test_metric{job="a"}'
                step: 1s
                horizons: [5s]
                history: 10m
            """);
        var store = new SeriesStore(settings, new ManualTimeProvider(Now));
        var result = RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(
            WriteRequests.Series("test_metric", ("job", "a")).With((T0, 1), (T0 + 1000, 2), (T0 + 2000, 3)),
            WriteRequests.Series("test_metric", ("job", "b")).With((T0, 10), (T0 + 1000, 20), (T0 + 2000, 30))));

        Assert.Equal(6, result.SamplesAccepted);
        var history = new float[3];
        foreach (var (target, instance, expected) in new[] { (0, "a", new[] { 1f, 2f, 3f }), (0, "b", [10f, 20f, 30f]), (1, "a", [1f, 2f, 3f]) })
        {
            Series series = Assert.Single(store.Targets[target].Snapshot(), s => s.Labels.Get("job") == instance);
            series.CopyHistory(T0 / 1000 + 2, history);
            Assert.Equal(expected, history);
        }
        Assert.DoesNotContain(store.Targets[1].Snapshot(), s => s.Labels.Get("job") == "b");

        RemoteWriteV1Decoder.Ingest(store, WriteRequests.Encode(WriteRequests.Series("test_metric", ("job", "a")).With((T0 + 3000, StaleMarker.Value))));
        Assert.True(store.Targets[0].Snapshot().Single(s => s.Labels.Get("job") == "a").Ended);
        Assert.True(store.Targets[1].Snapshot().Single().Ended);
        Assert.False(store.Targets[0].Snapshot().Single(s => s.Labels.Get("job") == "b").Ended);
    }
}
