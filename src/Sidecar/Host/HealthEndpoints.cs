using Microsoft.AspNetCore.Http.HttpResults;

namespace Sidecar.Host;

/// <summary>
/// Prometheus' own probe paths, mapped in every environment. <c>/-/healthy</c> says the process serves;
/// <c>/-/ready</c> says it takes data: the config is loaded (it is, once the port is open), the
/// snapshot restored, and shutdown not begun.
/// </summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/-/healthy", ["GET", "HEAD"], Healthy);
        app.MapMethods("/-/ready", ["GET", "HEAD"], Ready);
        return app;
    }

    private static Ok<string> Healthy() => TypedResults.Ok("Forecast sidecar is Healthy.\n");

    private static Results<Ok<string>, ContentHttpResult> Ready(Readiness readiness, IHostApplicationLifetime lifetime)
    {
        string? reason = readiness.NotReadyReason ?? (lifetime.ApplicationStarted.IsCancellationRequested ? null : "starting");
        return reason is null
            ? TypedResults.Ok("Forecast sidecar is Ready.\n")
            : TypedResults.Text($"Service Unavailable: {reason}.\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
