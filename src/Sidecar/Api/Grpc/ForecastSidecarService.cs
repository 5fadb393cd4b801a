using Grpc.Core;
using Sidecar.Api.Grpc.V1;

namespace Sidecar.Api.Grpc;

/// <summary>
/// The gRPC face of <see cref="SidecarQueries"/> and <see cref="AnomalyFeed"/>: requests are checked here
/// (<see cref="GrpcRequests"/>), answers are the query layer's views mapped to messages (<see cref="GrpcMessages"/>).
/// </summary>
internal sealed class ForecastSidecarService(SidecarQueries queries, AnomalyFeed feed, IHostApplicationLifetime lifetime)
    : ForecastSidecar.ForecastSidecarBase
{
    public override Task<ListTargetsResponse> ListTargets(ListTargetsRequest request, ServerCallContext context)
    {
        var response = new ListTargetsResponse();
        response.Targets.AddRange(queries.Targets().Select(GrpcMessages.ToMessage));
        return Task.FromResult(response);
    }

    public override Task<ListSeriesResponse> ListSeries(ListSeriesRequest request, ServerCallContext context)
    {
        GrpcRequests.Targets(queries, request.Target);
        var selector = GrpcRequests.Selector(request.Selector);
        int limit = GrpcRequests.Limit(request.Limit, "limit", GrpcRequests.DefaultLimit, SidecarQueries.MaxSeries);
        var series = queries.Series(request.Target, selector, request.Search, limit, out int total);
        var response = new ListSeriesResponse { Total = total };
        response.Series.AddRange(series.Select(GrpcMessages.ToMessage));
        return Task.FromResult(response);
    }

    public override Task<GetForecastResponse> GetForecast(GetForecastRequest request, ServerCallContext context)
    {
        var targets = GrpcRequests.Targets(queries, request.Target);
        var selector = GrpcRequests.Selector(request.Selector);
        var horizons = GrpcRequests.Horizons(request.Horizons, targets);
        int history = GrpcRequests.Limit(request.HistorySteps, "history_steps", SidecarQueries.DefaultHistorySteps, SidecarQueries.MaxHistorySteps);
        int limit = GrpcRequests.Limit(request.Limit, "limit", GrpcRequests.DefaultLimit, SidecarQueries.MaxSeries);
        var response = new GetForecastResponse();
        response.Series.AddRange(queries.Forecasts(request.Target, selector, horizons, history, limit).Select(GrpcMessages.ToMessage));
        return Task.FromResult(response);
    }

    public override async Task WatchAnomalies(WatchAnomaliesRequest request, IServerStreamWriter<AnomalyEvent> responseStream, ServerCallContext context)
    {
        GrpcRequests.Targets(queries, request.Target);
        var selector = GrpcRequests.Selector(request.Selector);
        // A stream ends when the client goes, or when the host stops: a watcher must not hold up shutdown.
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            await foreach (var transition in feed.WatchAsync(ending.Token))
            {
                if (!string.IsNullOrEmpty(request.Target) && transition.Target != request.Target)
                    continue;
                if (selector is not null && !selector.Matches(transition.Labels))
                    continue;
                await responseStream.WriteAsync(GrpcMessages.ToMessage(transition), ending.Token);
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The expected end of a watch, not an error.
        }
    }

    public override Task<RetrainResponse> Retrain(RetrainRequest request, ServerCallContext context)
    {
        if (!queries.Retrain(request.Target))
            throw GrpcRequests.UnknownTarget(request.Target);
        return Task.FromResult(new RetrainResponse { Accepted = true });
    }
}
