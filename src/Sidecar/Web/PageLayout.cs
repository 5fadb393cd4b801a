using System.Text;

namespace Sidecar.Web;

/// <summary>The frame every page shares: head, stylesheet, navigation. The body is written by each page.</summary>
internal static class PageLayout
{
    public static string Render(string title, string active, Action<StringBuilder> body)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            .Append("<title>").Append(Html.Text(title)).Append(" · forecast sidecar</title>")
            .Append("<style>").Append(Stylesheet.Css).Append("</style></head><body>")
            .Append("<header><span class=\"brand\">forecast sidecar</span><nav>");
        Link(html, "/", "Targets", active == "targets");
        Link(html, "/series", "Series", active == "series");
        Link(html, "/metrics", "Metrics", false);
        html.Append("</nav></header><main>");
        body(html);
        html.Append("</main></body></html>");
        return html.ToString();
    }

    private static void Link(StringBuilder html, string href, string text, bool active) =>
        html.Append("<a href=\"").Append(href).Append('"').Append(active ? " class=\"active\"" : "").Append('>').Append(text).Append("</a>");
}
