using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Sidecar.Host;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Sidecar.Security;

/// <summary>
/// Reads <c>--web.config.file</c>. Every problem (an unknown key, a missing or broken certificate, a value
/// that is not a bcrypt hash) is a <see cref="ConfigException"/> naming the key; no message ever quotes a
/// hash or a token.
/// </summary>
internal static partial class WebConfigLoader
{
    public static WebConfig Load(string? path)
    {
        if (path is null)
            return WebConfig.None;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"web config: cannot read {path}: {e.Message}");
        }
        string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        return Validate(Parse(text, path), path, directory);
    }

    private static WebConfigFile Parse(string yaml, string source)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        try
        {
            return deserializer.Deserialize<WebConfigFile?>(yaml) ?? new WebConfigFile();
        }
        catch (YamlException e)
        {
            // Deliberately not the raw YAML around the error: that could be a line holding a hash or token.
            string reason = Describe(e.InnerException?.Message ?? e.Message);
            throw new ConfigException($"{source}: line {e.Start.Line}, column {e.Start.Column}: {reason}");
        }
    }

    // YamlDotNet says "Property 'foo' not found on type 'Sidecar.Security.WebConfigFile'": users need the key.
    private static string Describe(string reason)
    {
        const string prefix = "Property '";
        if (reason.StartsWith(prefix, StringComparison.Ordinal))
        {
            int end = reason.IndexOf('\'', prefix.Length);
            if (end > 0)
                return $"unknown key '{reason[prefix.Length..end]}'";
        }
        return reason;
    }

    private static WebConfig Validate(WebConfigFile file, string source, string directory)
    {
        var errors = new List<string>();
        ServerTls? tls = null;
        if (file.TlsServerConfig is { } t)
            tls = ConfigErrors.Collect(errors, () => ValidateTls(t, directory));

        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (user, hash) in file.BasicAuthUsers ?? [])
        {
            if (string.IsNullOrEmpty(user) || user.Contains(':'))
                errors.Add($"basic_auth_users: user name '{user}' must be non-empty and contain no ':'");
            else if (hash is null || !BcryptHash().IsMatch(hash))
                errors.Add($"basic_auth_users.{user}: not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); make one with e.g. htpasswd -nBC 10 \"\" | tr -d ':\\n'");
            else
                users[user] = hash;
        }

        var tokens = new List<byte[]>();
        var inline = file.RemoteWriteBearerTokens ?? [];
        for (int i = 0; i < inline.Count; i++)
            AddToken(errors, tokens, $"remote_write_bearer_tokens[{i}]", inline[i]);
        var files = file.RemoteWriteBearerTokenFiles ?? [];
        for (int i = 0; i < files.Count; i++)
        {
            string key = $"remote_write_bearer_token_files[{i}]";
            string? token = ConfigErrors.Collect(errors, () =>
            {
                string resolved = PemFiles.Resolve(files[i] ?? "", directory);
                try
                {
                    return File.ReadAllText(resolved);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new ConfigException($"{key}: cannot read {resolved}: {e.Message}");
                }
            });
            if (token is not null)
                AddToken(errors, tokens, key, token);
        }

        if (errors.Count > 0)
            throw new ConfigException($"{source}: invalid web configuration:\n  " + string.Join("\n  ", errors));
        return new WebConfig(source, tls, users, tokens);
    }

    private static void AddToken(List<string> errors, List<byte[]> tokens, string key, string? token)
    {
        token = token?.Trim();
        if (string.IsNullOrEmpty(token))
            errors.Add($"{key}: empty token");
        else
            tokens.Add(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    private static ServerTls ValidateTls(TlsServerSection t, string directory)
    {
        if (string.IsNullOrWhiteSpace(t.CertFile) || string.IsNullOrWhiteSpace(t.KeyFile))
            throw new ConfigException("tls_server_config: cert_file and key_file are both required");
        var (certificate, intermediates) = PemFiles.LoadCertificateWithKey(
            "tls_server_config.cert_file", PemFiles.Resolve(t.CertFile, directory), "tls_server_config.key_file", PemFiles.Resolve(t.KeyFile, directory));

        SslProtocols protocols = (t.MinVersion ?? "TLS12") switch
        {
            "TLS12" => SslProtocols.Tls12 | SslProtocols.Tls13,
            "TLS13" => SslProtocols.Tls13,
            var other => throw new ConfigException($"tls_server_config.min_version: '{other}' is not supported; use TLS12 or TLS13"),
        };
        string authType = t.ClientAuthType ?? (t.ClientCaFile is null ? "NoClientCert" : "RequireAndVerifyClientCert");
        (ClientCertificateMode mode, bool verify) = authType switch
        {
            "NoClientCert" => (ClientCertificateMode.NoCertificate, false),
            "RequestClientCert" => (ClientCertificateMode.AllowCertificate, false),
            "RequireAnyClientCert" => (ClientCertificateMode.RequireCertificate, false),
            "VerifyClientCertIfGiven" => (ClientCertificateMode.AllowCertificate, true),
            "RequireAndVerifyClientCert" => (ClientCertificateMode.RequireCertificate, true),
            _ => throw new ConfigException($"tls_server_config.client_auth_type: '{authType}' is not one of NoClientCert, RequestClientCert, "
                + "RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert"),
        };
        if (verify && string.IsNullOrWhiteSpace(t.ClientCaFile))
            throw new ConfigException($"tls_server_config.client_ca_file: required with client_auth_type {authType}");
        if (!verify && !string.IsNullOrWhiteSpace(t.ClientCaFile))
            throw new ConfigException($"tls_server_config.client_ca_file: set, but client_auth_type {authType} does not verify client certificates");
        var authorities = verify ? PemFiles.LoadCertificates("tls_server_config.client_ca_file", PemFiles.Resolve(t.ClientCaFile!, directory)) : null;
        return new ServerTls(certificate, intermediates, protocols, mode, authorities);
    }


    [GeneratedRegex(@"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")]
    private static partial Regex BcryptHash();
}
