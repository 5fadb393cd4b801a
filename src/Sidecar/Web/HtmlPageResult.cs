using System.Text;

namespace Sidecar.Web;

/// <summary>A rendered page with the headers that keep a browser from running or sniffing anything in it.</summary>
internal sealed class HtmlPageResult(string html, int status, string contentSecurityPolicy) : IResult
{
    public Task ExecuteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = contentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        // Every page is the state at the moment of the request.
        response.Headers.CacheControl = "no-store";
        return response.WriteAsync(html, Encoding.UTF8, context.RequestAborted);
    }
}
