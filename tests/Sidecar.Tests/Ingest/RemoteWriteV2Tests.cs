using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Sidecar.Ingest;
using Sidecar.Protocol;
using Sidecar.Protocol.Prompb.V2;
using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Ingest;

/// <summary>Remote-write 2.0, after the cases of the prometheus/compliance receiver suite, in our own code.</summary>
public sealed class RemoteWriteV2Tests : IAsyncLifetime
{
    private const string V2ContentType = "application/x-protobuf;proto=io.prometheus.write.v2.Request";
    private const long T0 = 1_700_000_000_000;

    private RunningSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await RunningSidecar.StartAsync("""
        limits:
          max_body_bytes: 65536
          max_decoded_bytes: 262144
        demo:
          mode: off
        targets:
          - name: t
            selector: '{__name__=~"test_.*"}'
            step: 1s
            horizons: [5s]
            history: 10m
        """);

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    private async Task<HttpResponseMessage> PostAsync(byte[] raw, string contentType = V2ContentType, string encoding = "snappy")
    {
        var content = new ByteArrayContent(WriteRequests.Snappy(raw));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        content.Headers.ContentEncoding.Add(encoding);
        content.Headers.Add("X-Prometheus-Remote-Write-Version", "2.0.0");
        return await _sidecar.Http.PostAsync("/api/v1/write", content);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : "(missing)";

    [Fact]
    public async Task StoresSamplesAndReportsExactWrittenCounts()
    {
        var request = new V2Requests();
        request.Add([("__name__", "test_a"), ("job", "x")], (T0, 1), (T0 + 1000, 2));
        var withExtras = request.Add([("__name__", "test_b"), ("job", "x")], (T0, 3));
        withExtras.Exemplars.Add(new Exemplar { Value = 3, Timestamp = T0, LabelsRefs = { request.Ref("trace_id"), request.Ref("abc") } });
        request.Add([("__name__", "test_h"), ("job", "x")]).Histograms.Add(new Histogram { CountInt = 2, ZeroCountInt = 2, Sum = 0, Timestamp = T0 });
        request.Add([("__name__", "other"), ("job", "x")], (T0, 9));

        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("4", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
        Assert.Equal("1", Header(response, RemoteWriteEndpoints.HistogramsWrittenHeader));
        Assert.Equal("1", Header(response, RemoteWriteEndpoints.ExemplarsWrittenHeader));
        var target = _sidecar.Service<SeriesStore>().Targets[0];
        Assert.Equal(["test_a{job=\"x\"}", "test_b{job=\"x\"}", "test_h{job=\"x\"}"], target.Snapshot().Select(s => s.Labels.ToString()).Order());
    }

    [Fact]
    public async Task UnsortedLabelRefsAndV1ReachTheSameSeries()
    {
        var request = new V2Requests();
        request.Add([("job", "y"), ("__name__", "test_same"), ("a", "1")], (T0, 1));
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(request.Encode())).StatusCode);
        var v1 = WriteRequests.Encode(WriteRequests.Series("test_same", ("a", "1"), ("job", "y")).With((T0 + 1000, 2)));
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(v1, "application/x-protobuf")).StatusCode);
        var series = Assert.Single(_sidecar.Service<SeriesStore>().Targets[0].Snapshot(), s => s.Labels.MetricName == "test_same");
        var history = new float[2];
        series.CopyHistory(T0 / 1000 + 1, history);
        Assert.Equal([1f, 2f], history);
    }

    [Fact]
    public async Task RecordsMetadataFromBothVersions()
    {
        var request = new V2Requests();
        var series = request.Add([("__name__", "test_requests_total"), ("job", "x")], (T0, 1));
        series.Metadata = new Metadata { Type = Metadata.Types.MetricType.Counter, HelpRef = request.Ref("Requests."), UnitRef = request.Ref("requests") };
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(request.Encode())).StatusCode);
        var v1 = new Sidecar.Protocol.Prompb.WriteRequest();
        v1.Metadata.Add(new Sidecar.Protocol.Prompb.MetricMetadata { Type = Sidecar.Protocol.Prompb.MetricMetadata.Types.MetricType.Gauge, MetricFamilyName = "test_temp", Help = "Temperature." });
        Assert.Equal(HttpStatusCode.NoContent, (await PostAsync(v1.ToByteArray(), "application/x-protobuf")).StatusCode);
        var metadata = _sidecar.Service<SeriesStore>().Metadata;
        Assert.Equal(new MetricMetadata(MetricType.Counter, "Requests.", "requests"), metadata.Get("test_requests_total"));
        Assert.Equal(new MetricMetadata(MetricType.Gauge, "Temperature.", ""), metadata.Get("test_temp"));
    }

    [Fact]
    public async Task StaleMarkerInV2EndsTheSeries()
    {
        var request = new V2Requests();
        request.Add([("__name__", "test_stale")], (T0, 1), (T0 + 1000, StaleMarker.Value));
        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("2", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
        Assert.True(_sidecar.Service<SeriesStore>().Targets[0].Snapshot().Single(s => s.Labels.MetricName == "test_stale").Ended);
    }

    public static TheoryData<string, byte[]> Malformed()
    {
        var noEmptyFirst = new Request { Symbols = { "__name__", "test_x" } };
        noEmptyFirst.Timeseries.Add(new TimeSeries { LabelsRefs = { 0, 1 }, Samples = { new Sample { Value = 1, Timestamp = T0 } } });
        var outOfRange = new Request { Symbols = { "", "__name__" } };
        outOfRange.Timeseries.Add(new TimeSeries { LabelsRefs = { 1, 7 }, Samples = { new Sample { Value = 1, Timestamp = T0 } } });
        var odd = new Request { Symbols = { "", "__name__", "test_x" } };
        odd.Timeseries.Add(new TimeSeries { LabelsRefs = { 1, 2, 1 }, Samples = { new Sample { Value = 1, Timestamp = T0 } } });
        return new()
        {
            { "symbols[0] must be the empty string", noEmptyFirst.ToByteArray() },
            { "out of range", outOfRange.ToByteArray() },
            { "odd number", odd.ToByteArray() },
            { "protobuf", [0x2a, 0x50, 0x01] },
        };
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task MalformedRequestsGet400WithZeroWrittenHeaders(string reason, byte[] raw)
    {
        var response = await PostAsync(raw);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync());
        Assert.Equal("0", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
    }

    [Fact]
    public async Task ACorruptSeriesAfterAValidOneKeepsTheValidOneAndCountsIt()
    {
        var request = new V2Requests();
        request.Add([("__name__", "test_before")], (T0, 1), (T0 + 1000, 2));
        request.Add([("__name__", "test_after")], (T0, 1)).LabelsRefs.Add(99);
        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("2", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
        Assert.Contains(_sidecar.Service<SeriesStore>().Targets[0].Snapshot(), s => s.Labels.MetricName == "test_before");
    }

    [Fact]
    public async Task InvalidSeriesGet400AndTheWrittenHeaderCountsOnlyTheValidOnes()
    {
        var request = new V2Requests();
        request.Add([("job", "no-name")], (T0, 1), (T0 + 1000, 2));
        request.Add([("__name__", "test_ok")], (T0, 1));
        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("1", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
    }

    [Theory]
    [InlineData("application/json", "snappy")]
    [InlineData("image/png", "snappy")]
    [InlineData("application/x-protobuf;proto=io.prometheus.write.v3.Request", "snappy")]
    [InlineData(V2ContentType, "gzip")]
    [InlineData(V2ContentType, "deflate")]
    public async Task UnsupportedTypesAndEncodingsGet415(string contentType, string encoding)
    {
        var request = new V2Requests();
        request.Add([("__name__", "test_a")], (T0, 1));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await PostAsync(request.Encode(), contentType, encoding)).StatusCode);
    }

    private static Histogram BasicHistogram(ulong count) => new()
    {
        CountInt = count, Sum = 10, Schema = 0, ZeroCountInt = 1, Timestamp = T0,
        PositiveSpans = { new BucketSpan { Offset = 0, Length = 3 }, new BucketSpan { Offset = 2, Length = 2 } },
        PositiveDeltas = { 1, 2, 1, 3, 1 },
        NegativeSpans = { new BucketSpan { Offset = 0, Length = 2 } },
        NegativeDeltas = { 1, 1 },
    };

    [Fact]
    public async Task ConsistentHistogramsAreAcceptedAndCountedInconsistentOnesGet400()
    {
        // Buckets 1+3+4+7+8 positive, 1+2 negative, 1 zero: a count of 27 is consistent.
        var good = new V2Requests();
        good.Add([("__name__", "test_histogram")]).Histograms.Add(BasicHistogram(27));
        var custom = new Histogram { CountInt = 30, Sum = 5, Schema = -53, Timestamp = T0, CustomValues = { 0.1, 0.5, 1, 2.5, 5, 10 },
            PositiveSpans = { new BucketSpan { Offset = 0, Length = 6 } }, PositiveDeltas = { 2, 1, 2, 3, -1, -2 } };
        good.Add([("__name__", "test_custom"), ("job", "x")]).Histograms.Add(custom);
        good.Add([("__name__", "test_empty")]).Histograms.Add(new Histogram { Timestamp = T0 });
        var response = await PostAsync(good.Encode());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("3", Header(response, RemoteWriteEndpoints.HistogramsWrittenHeader));

        var bad = new V2Requests();
        bad.Add([("__name__", "minimal_hist")]).Histograms.Add(BasicHistogram(99));
        response = await PostAsync(bad.Encode());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not match its buckets", await response.Content.ReadAsStringAsync());
        Assert.Equal("0", Header(response, RemoteWriteEndpoints.HistogramsWrittenHeader));
    }

    [Fact]
    public async Task EdgeShapesFromTheComplianceSuiteAreAcceptedWithExactCounts()
    {
        var request = new V2Requests();
        // Exemplar without samples, metadata without samples, the same labels twice, a created timestamp,
        // UTF-8 names with dots, spaces and emoji, a newline in a value.
        request.Add([("__name__", "test_exemplar_only")]).Exemplars.Add(new Exemplar { Value = 1, Timestamp = T0 });
        request.Add([("__name__", "test_orphan")]).Metadata = new Metadata { Type = Metadata.Types.MetricType.Gauge };
        request.Add([("__name__", "test_twice")], (T0, 1));
        request.Add([("__name__", "test_twice")], (T0 + 1000, 2));
        request.Add([("__name__", "test_created"), ("job", "api")], (T0, 100)).CreatedTimestamp = T0 - 3_600_000;
        request.Add([("__name__", "test.cpu usage 🚀"), ("job.name", "a b"), ("job", "test\njob\n")], (T0, double.NaN));
        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("4", Header(response, RemoteWriteEndpoints.SamplesWrittenHeader));
        Assert.Equal("0", Header(response, RemoteWriteEndpoints.HistogramsWrittenHeader));
        Assert.Equal("1", Header(response, RemoteWriteEndpoints.ExemplarsWrittenHeader));
    }

    [Fact]
    public async Task AnEmptyMetricNameIsLikeNoName()
    {
        var request = new V2Requests();
        request.Add([("__name__", ""), ("job", "x")], (T0, 1));
        var response = await PostAsync(request.Encode());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no __name__", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PlainProtobufIsVersion1()
    {
        // A v2 body sent as plain application/x-protobuf decodes as v1: fields 4 and 5 are unknown to
        // WriteRequest and skipped, so nothing is stored and no v2 headers are sent.
        var request = new V2Requests();
        request.Add([("__name__", "test_plain")], (T0, 1));
        var response = await PostAsync(request.Encode(), "application/x-protobuf");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains(RemoteWriteEndpoints.SamplesWrittenHeader));
        Assert.DoesNotContain(_sidecar.Service<SeriesStore>().Targets[0].Snapshot(), s => s.Labels.MetricName == "test_plain");
    }
}
