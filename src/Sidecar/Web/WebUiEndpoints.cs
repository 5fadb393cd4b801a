using Sidecar.Api;

namespace Sidecar.Web;

/// <summary>
/// The built-in web UI: server-rendered HTML with inline SVG, so it needs no script, no build step and
/// nothing from outside. Every page is a read of <see cref="SidecarQueries"/> at the moment of the request.
/// </summary>
internal static class WebUiEndpoints
{
    /// <summary>Series listed on one page unless the request asks for another number.</summary>
    public const int DefaultSeriesLimit = 100;

    /// <summary>
    /// No script may run on these pages at all: label values are written by remote clients, so even if an
    /// escape were ever missed, the browser would refuse an injected script. Styles are inline by design.
    /// </summary>
    private const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    public static IEndpointRouteBuilder MapWebUi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (SidecarQueries queries) => Page(TargetsPage.Render(queries.Targets())));
        app.MapGet("/series", (SidecarQueries queries, string? target, string? q, int? limit) =>
        {
            int shown = Math.Clamp(limit ?? DefaultSeriesLimit, 1, SidecarQueries.MaxSeries);
            var series = queries.Series(target, selector: null, q, shown, out int total);
            var names = queries.Targets().Select(t => t.Name).ToList();
            return Page(SeriesListPage.Render(names, target, q, shown, series, total));
        });
        app.MapGet("/series/view", (SidecarQueries queries, string? target, string? labels, int? history) =>
        {
            int steps = Math.Clamp(history ?? SidecarQueries.DefaultHistorySteps, 1, SidecarQueries.MaxHistorySteps);
            return target is not null && labels is not null && queries.Series(target, labels, steps) is { } detail
                ? Page(SeriesPage.Render(detail))
                : Page(PageLayout.Render("Not found", "series", html => html
                    .Append("<h1>No such series</h1><p>Target <code>").Append(Html.Text(target)).Append("</code> has no series <code class=\"labels\">")
                    .Append(Html.Text(labels)).Append("</code>; it may have expired. <a href=\"/series\">All series</a></p>")), StatusCodes.Status404NotFound);
        });
        return app;
    }

    private static IResult Page(string html, int status = StatusCodes.Status200OK) => new HtmlPageResult(html, status, ContentSecurityPolicy);
}
