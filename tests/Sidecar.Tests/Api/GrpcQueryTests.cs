using Grpc.Core;
using Sidecar.Api.Grpc.V1;
using Sidecar.Store;

namespace Sidecar.Tests.Api;

/// <summary>ListTargets, ListSeries and GetForecast through a real gRPC client, against the running host.</summary>
[Collection(GrpcSidecarCollection.Name)]
public sealed class GrpcQueryTests(GrpcSidecar fixture)
{
    private const string SeriesA = "grpc_metric{instance=\"a\"}";

    [Fact]
    public async Task ListTargetsShowsEachConfiguredTargetAndTheTrainedModel()
    {
        var response = await fixture.Client.ListTargetsAsync(new ListTargetsRequest());

        Assert.Equal(["t", "u"], response.Targets.Select(t => t.Name));
        Target t = response.Targets[0];
        Assert.Equal("grpc_metric", t.Source);
        Assert.Equal(TimeSpan.FromSeconds(1), t.Step.ToTimeSpan());
        Assert.Equal(["2s", "5s"], t.Horizons);
        Assert.Equal(3, t.Series);
        Assert.Equal("target", t.Scope);
        Assert.Equal("predict_linear", t.Fallback);
        // Trained once (fit_every is an hour), the model in use came from that run.
        ModelStatus model = t.Model;
        Assert.Equal(TrainingPhase.Idle, model.Phase);
        Assert.Equal("success", model.LastResult);
        Assert.Equal("", model.LastError);
        Assert.NotNull(model.LastRunAt);
        Assert.NotNull(model.TrainedAt);
        Assert.Equal(5, model.MaxEpochs);
        Assert.InRange(model.Epoch, 1, 5);
        Assert.True(double.IsFinite(model.TrainLoss) && double.IsFinite(model.ValidationLoss), "losses of the run");
        Assert.True(double.IsFinite(model.ModelValidationLoss), "validation loss of the model in use");
        Assert.True(model.TrainedAt.ToDateTimeOffset() <= model.LastRunAt.ToDateTimeOffset(), "the model is from a run that already ended");
        Assert.Equal(["2s", "5s"], t.Quality.Select(q => q.Horizon));

        // The main port still serves Prometheus over HTTP/1.1 while the gRPC port is open.
        using var scrape = await fixture.Sidecar.Http.GetAsync("/metrics");
        Assert.Equal(new Version(1, 1), scrape.Version);
        Assert.Contains("model=\"lstm\"", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListSeriesFiltersBySelectorSearchAndTarget()
    {
        var bySelector = await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Selector = "grpc_metric{instance=~\"a|b\"}" });
        Assert.Equal(2, bySelector.Total);
        Assert.Equal([SeriesA, "grpc_metric{instance=\"b\"}"], bySelector.Series.Select(s => s.Id));
        Sidecar.Api.Grpc.V1.Series a = bySelector.Series[0];
        Assert.Equal("t", a.Target);
        Assert.Equal(new Dictionary<string, string> { ["__name__"] = "grpc_metric", ["instance"] = "a" }, a.Labels);
        Assert.Equal("lstm", a.Model);
        int last = GrpcSidecar.HistorySteps - 1;
        Assert.Equal(fixture.T0 + last * 1000L, a.LastStep.ToDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal((float)GrpcSidecar.Signal(last), a.LastValue);

        // Search is a case-insensitive substring of the label text.
        var bySearch = await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Search = "SPIKE" });
        Assert.Equal(["grpc_metric{instance=\"spike\"}"], bySearch.Series.Select(s => s.Id));

        var byTarget = await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Target = "u" });
        Assert.Equal(["other_metric{instance=\"o\"}"], byTarget.Series.Select(s => s.Id));

        // A limit cuts the list but not the count; one above the maximum is clamped, not refused.
        var limited = await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Limit = 1 });
        Assert.Single(limited.Series);
        Assert.Equal(4, limited.Total);
        var huge = await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Limit = int.MaxValue });
        Assert.Equal(4, huge.Series.Count);
    }

    [Fact]
    public async Task GetForecastReturnsTheWrittenHistoryAndForecastsFromTheNewestStep()
    {
        var response = await fixture.Client.GetForecastAsync(new GetForecastRequest
        {
            Selector = "grpc_metric{instance=\"b\"}",
            HistorySteps = 100_000, // more than is held, and more than the maximum: clamped
        });

        SeriesForecast b = Assert.Single(response.Series);
        Assert.Equal(TimeSpan.FromSeconds(1), b.Step.ToTimeSpan());
        Assert.Equal(GrpcSidecar.HistorySteps, b.History.Count);
        for (int i = 0; i < GrpcSidecar.HistorySteps; i++)
        {
            Assert.Equal(fixture.T0 + i * 1000L, b.History[i].Time.ToDateTimeOffset().ToUnixTimeMilliseconds());
            // The store keeps floats; the step with no sample stays a gap.
            Assert.Equal(i == GrpcSidecar.GapIndex ? double.NaN : (float)(GrpcSidecar.Signal(i) + 100), b.History[i].Value);
        }
        long newest = b.History[^1].Time.ToDateTimeOffset().ToUnixTimeMilliseconds();
        Assert.Equal(["2s", "5s"], b.Forecasts.Select(f => f.Horizon));
        Assert.Equal([newest + 2000, newest + 5000], b.Forecasts.Select(f => f.Time.ToDateTimeOffset().ToUnixTimeMilliseconds()));
        foreach (var forecast in b.Forecasts)
        {
            Assert.True(double.IsFinite(forecast.Lower) && double.IsFinite(forecast.Upper), $"{forecast.Horizon}: an interval from the trained model");
            Assert.True(forecast.Lower <= forecast.Median && forecast.Median <= forecast.Upper, $"{forecast.Horizon}: {forecast.Lower} <= {forecast.Median} <= {forecast.Upper}");
        }
        Assert.True(double.IsFinite(b.NextStep), "a one-step forecast");

        // Horizons and history length as asked.
        var narrow = await fixture.Client.GetForecastAsync(new GetForecastRequest { Target = "t", Selector = SeriesA, Horizons = { "5s" }, HistorySteps = 10 });
        SeriesForecast a = Assert.Single(narrow.Series);
        Assert.Equal(10, a.History.Count);
        Assert.Equal(fixture.T0 + (GrpcSidecar.HistorySteps - 1) * 1000L, a.History[^1].Time.ToDateTimeOffset().ToUnixTimeMilliseconds());
        HorizonForecast five = Assert.Single(a.Forecasts);
        Assert.Equal(fixture.T0 + (GrpcSidecar.HistorySteps - 1) * 1000L + 5000, five.Time.ToDateTimeOffset().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task BadRequestsGetInvalidArgumentAndUnknownTargetsNotFound()
    {
        const string broken = "grpc_metric{instance=";
        string parserMessage = Assert.Throws<FormatException>(() => SelectorParser.Parse(broken)).Message;

        var e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Selector = broken }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(parserMessage, e.Status.Detail, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetForecastAsync(new GetForecastRequest { Selector = broken }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains(parserMessage, e.Status.Detail, StringComparison.Ordinal);

        e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetForecastAsync(new GetForecastRequest { Selector = SeriesA, Horizons = { "7s" } }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("'7s'", e.Status.Detail, StringComparison.Ordinal);
        e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Limit = -1 }));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);

        e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.ListSeriesAsync(new ListSeriesRequest { Target = "nope" }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
        e = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Client.GetForecastAsync(new GetForecastRequest { Target = "nope", Selector = SeriesA }));
        Assert.Equal(StatusCode.NotFound, e.StatusCode);
    }
}
