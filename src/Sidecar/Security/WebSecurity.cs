using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Sidecar.Security;

/// <summary>Wires a <see cref="WebConfig"/> into Kestrel (TLS) and into the request pipeline (authentication).</summary>
internal static class WebSecurity
{
    /// <summary>Serves TLS on the listener when the web config has <c>tls_server_config</c>; plain HTTP otherwise.</summary>
    public static ListenOptions UseWebConfig(this ListenOptions listen, WebConfig config)
    {
        if (config.Tls is not { } tls)
            return listen;
        return listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = tls.Certificate,
            ServerCertificateChain = tls.Intermediates,
            SslProtocols = tls.Protocols,
            ClientCertificateMode = tls.ClientCertificateMode,
            ClientCertificateValidation = (certificate, chain, _) => tls.ClientCertificateAuthorities is not { } authorities
                || CustomTrust.Verify(certificate, chain, authorities, CustomTrust.ClientAuthentication),
        });
    }

    /// <summary>Adds the credential check ahead of every endpoint, when the web config asks for credentials.</summary>
    public static WebApplication UseWebAuthentication(this WebApplication app, WebConfig config)
    {
        if (!config.RequiresAuthentication)
            return app;
        var basic = new BasicAuthVerifier(config.BasicAuthUsers);
        app.Lifetime.ApplicationStopped.Register(basic.Dispose);
        var authentication = new WebAuthentication(config, basic, new BearerTokenVerifier(config.BearerTokenDigests));
        app.Use(authentication.InvokeAsync);
        return app;
    }
}
