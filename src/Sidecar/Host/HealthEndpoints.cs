using Microsoft.AspNetCore.Http.HttpResults;

namespace Sidecar.Host;

/// <summary>Prometheus' own probe paths, mapped in every environment.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/-/healthy", Healthy);
        app.MapGet("/-/ready", Ready);
        return app;
    }

    private static Ok<string> Healthy() => TypedResults.Ok("Forecast sidecar is Healthy.\n");

    private static Results<Ok<string>, ProblemHttpResult> Ready(IHostApplicationLifetime lifetime) =>
        lifetime.ApplicationStarted.IsCancellationRequested
            ? TypedResults.Ok("Forecast sidecar is Ready.\n")
            : TypedResults.Problem("starting", statusCode: StatusCodes.Status503ServiceUnavailable);
}
