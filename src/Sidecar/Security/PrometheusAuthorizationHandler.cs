using System.Net.Http.Headers;
using System.Text;

namespace Sidecar.Security;

/// <summary>
/// Sets the Authorization header on each request to Prometheus, retries included, reading a secret file
/// afresh each time so a rotated password or token is used from the next request on.
/// </summary>
internal sealed class PrometheusAuthorizationHandler(PrometheusCredentials credentials) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string secret = await credentials.Secret.ReadAsync(credentials.Key, cancellationToken);
        string parameter = credentials.Username is null
            ? secret
            : Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + secret));
        request.Headers.Authorization = new AuthenticationHeaderValue(credentials.Scheme, parameter);
        return await base.SendAsync(request, cancellationToken);
    }
}
