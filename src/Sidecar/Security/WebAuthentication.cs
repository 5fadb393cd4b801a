using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Sidecar.Ingest;

namespace Sidecar.Security;

/// <summary>
/// Lets a request through only with valid credentials, when the web config asks for any:
/// <list type="bullet">
/// <item>with <c>basic_auth_users</c>, every endpoint needs basic auth except the probes /-/healthy and
/// /-/ready, which say nothing beyond "up" and must answer kubelets and load balancers without secrets;</item>
/// <item>with remote-write bearer tokens, /api/v1/write also (or, without users, only) accepts
/// <c>Authorization: Bearer</c>.</item>
/// </list>
/// Anything else is 401 with a challenge. Nothing here logs, so no credential can reach a log.
/// </summary>
internal sealed class WebAuthentication(WebConfig config, BasicAuthVerifier basic, BearerTokenVerifier bearer)
{
    public const string Realm = "prometheus-forecast-sidecar";
    private static readonly HashSet<string> OpenPaths = new(["/-/healthy", "/-/ready"], StringComparer.OrdinalIgnoreCase);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // Matched routes, not raw paths: routing ignores case and trailing slashes, so a raw-path check could be sidestepped.
        string? route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (route is not null && OpenPaths.Contains(route))
        {
            await next(context);
            return;
        }
        bool isWrite = string.Equals(route, RemoteWriteEndpoints.Path, StringComparison.OrdinalIgnoreCase);
        bool needsBasic = config.BasicAuthUsers.Count > 0;
        bool acceptsBearer = isWrite && config.BearerTokenDigests.Count > 0;
        if (!needsBasic && !acceptsBearer)
        {
            await next(context);
            return;
        }
        if (await IsAuthenticatedAsync(context, needsBasic, acceptsBearer))
        {
            await next(context);
            return;
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        if (needsBasic)
            response.Headers.Append("WWW-Authenticate", $"Basic realm=\"{Realm}\", charset=\"UTF-8\"");
        if (acceptsBearer)
            response.Headers.Append("WWW-Authenticate", $"Bearer realm=\"{Realm}\"");
        if (isWrite)
            response.Headers.Connection = "close"; // the body goes unread
        response.ContentType = "text/plain; charset=utf-8";
        await response.WriteAsync("Unauthorized\n", context.RequestAborted);
    }

    private async ValueTask<bool> IsAuthenticatedAsync(HttpContext context, bool acceptsBasic, bool acceptsBearer)
    {
        if (!AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header) || header.Parameter is null)
            return false;
        if (acceptsBearer && header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return bearer.Verify(header.Parameter);
        if (acceptsBasic && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase)
            && TryDecodeBasic(header.Parameter, out string user, out string password))
            return await basic.VerifyAsync(user, password, context.RequestAborted);
        return false;
    }

    private static bool TryDecodeBasic(string parameter, out string user, out string password)
    {
        user = password = "";
        Span<byte> bytes = parameter.Length <= 1024 ? stackalloc byte[parameter.Length] : new byte[parameter.Length];
        if (!Convert.TryFromBase64String(parameter, bytes, out int length))
            return false;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..length]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        int colon = decoded.IndexOf(':');
        if (colon < 0)
            return false;
        user = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }
}
