using Sidecar.Host;

namespace Sidecar.Security;

/// <summary>
/// Validates <c>prometheus.basic_auth</c>, <c>authorization</c> and <c>tls_config</c> with Prometheus' own
/// rules (one way to authenticate, one source per secret). Certificates are loaded now, so a bad one stops
/// startup; secret files only have to be readable now, as they are read again for every request.
/// </summary>
internal static class PrometheusHttpValidator
{
    public static PrometheusHttpSettings Validate(PrometheusSection p, string baseDirectory, List<string> errors)
    {
        PrometheusCredentials? credentials = null;
        if (p.BasicAuth is not null && p.Authorization is not null)
            errors.Add("prometheus: give at most one of basic_auth and authorization");
        else if (p.BasicAuth is { } basic)
            credentials = ValidateBasic(basic, baseDirectory, errors);
        else if (p.Authorization is { } authorization)
            credentials = ValidateAuthorization(authorization, baseDirectory, errors);

        ClientTls? tls = p.TlsConfig is { } t ? ValidateTls(t, baseDirectory, errors) : null;
        return new PrometheusHttpSettings(credentials, tls);
    }

    private static PrometheusCredentials? ValidateBasic(BasicAuthSection b, string baseDirectory, List<string> errors)
    {
        if (string.IsNullOrEmpty(b.Username) || b.Username.Contains(':'))
        {
            errors.Add("prometheus.basic_auth.username: required, without ':'");
            return null;
        }
        var secret = OneSecret(errors, "prometheus.basic_auth", "password", b.Password, b.PasswordFile, baseDirectory);
        return secret is null ? null : new PrometheusCredentials("Basic", b.Username, secret.Value.Secret, secret.Value.Key);
    }

    private static PrometheusCredentials? ValidateAuthorization(AuthorizationSection a, string baseDirectory, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(a.Type) || a.Type.Any(char.IsWhiteSpace) || a.Type.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"prometheus.authorization.type: '{a.Type}' must be one word and not Basic (use basic_auth for that)");
            return null;
        }
        var secret = OneSecret(errors, "prometheus.authorization", "credentials", a.Credentials, a.CredentialsFile, baseDirectory);
        return secret is null ? null : new PrometheusCredentials(a.Type, null, secret.Value.Secret, secret.Value.Key);
    }

    private static (Secret Secret, string Key)? OneSecret(List<string> errors, string section, string name, string? value, string? file, string baseDirectory)
    {
        bool hasValue = !string.IsNullOrEmpty(value), hasFile = !string.IsNullOrWhiteSpace(file);
        if (hasValue == hasFile)
        {
            errors.Add($"{section}: give exactly one of {name} and {name}_file");
            return null;
        }
        if (hasValue)
            return (Secret.Inline(value!), $"{section}.{name}");
        string key = $"{section}.{name}_file";
        string path = PemFiles.Resolve(file!, baseDirectory);
        try
        {
            PemFiles.RequireReadable(key, path);
        }
        catch (ConfigException e)
        {
            errors.Add(e.Message);
            return null;
        }
        return (Secret.InFile(path), key);
    }

    private static ClientTls? ValidateTls(TlsClientSection t, string baseDirectory, List<string> errors)
    {
        int before = errors.Count;
        var authorities = string.IsNullOrWhiteSpace(t.CaFile) ? null
            : ConfigErrors.Collect(errors, () => PemFiles.LoadCertificates("prometheus.tls_config.ca_file", PemFiles.Resolve(t.CaFile, baseDirectory)));
        bool hasCert = !string.IsNullOrWhiteSpace(t.CertFile), hasKey = !string.IsNullOrWhiteSpace(t.KeyFile);
        if (hasCert != hasKey)
            errors.Add("prometheus.tls_config: cert_file and key_file go together (a client certificate and its key)");
        var certificate = hasCert && hasKey
            ? ConfigErrors.Collect(errors, () => PemFiles.LoadCertificateWithKey("prometheus.tls_config.cert_file", PemFiles.Resolve(t.CertFile!, baseDirectory),
                "prometheus.tls_config.key_file", PemFiles.Resolve(t.KeyFile!, baseDirectory)).Certificate)
            : null;
        if (errors.Count > before)
            return null;
        return new ClientTls(authorities, certificate, string.IsNullOrWhiteSpace(t.ServerName) ? null : t.ServerName, t.InsecureSkipVerify);
    }
}
