namespace Sidecar.Host;

/// <summary>
/// Prometheus' lifecycle API: <c>POST /-/reload</c> and <c>POST /-/quit</c> (PUT too, as Prometheus
/// takes). Like Prometheus they answer only with <c>--web.enable-lifecycle</c>: anyone who can reach the
/// port could otherwise stop the sidecar.
/// </summary>
internal static class LifecycleEndpoints
{
    public const string DisabledMessage = "Lifecycle API is not enabled; start with --web.enable-lifecycle.\n";

    public static IEndpointRouteBuilder MapLifecycle(this IEndpointRouteBuilder app, bool enabled)
    {
        app.MapMethods("/-/reload", ["POST", "PUT"], (ConfigReloader reloader) =>
        {
            if (!enabled)
                return Results.Text(DisabledMessage, statusCode: StatusCodes.Status403Forbidden);
            ReloadResult result = reloader.Reload("HTTP");
            return Results.Text(result.Message + "\n", statusCode: result.StatusCode);
        });
        app.MapMethods("/-/quit", ["POST", "PUT"], (IHostApplicationLifetime lifetime) =>
        {
            if (!enabled)
                return Results.Text(DisabledMessage, statusCode: StatusCodes.Status403Forbidden);
            lifetime.StopApplication();
            return Results.Text("Requesting termination... Goodbye!\n");
        });
        return app;
    }
}
