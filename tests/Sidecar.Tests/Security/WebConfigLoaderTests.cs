using Sidecar.Host;
using Sidecar.Security;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Security;

/// <summary>A broken web config stops startup with a message that names the key, and never quotes a secret.</summary>
public sealed class WebConfigLoaderTests
{
    private static ConfigException LoadFails(string yaml, string? directory = null)
    {
        if (directory is null)
        {
            using var temporary = new TemporaryDirectory("web-config-");
            return LoadFails(yaml, temporary.FullName);
        }
        string path = Path.Combine(directory, "web.yml");
        File.WriteAllText(path, yaml);
        return Assert.Throws<ConfigException>(() => WebConfigLoader.Load(path));
    }

    [Fact]
    public void UnknownKeysAreNamed()
    {
        Assert.Contains("unknown key 'basic_auth_user'", LoadFails("basic_auth_user:\n  alice: x\n").Message);
        Assert.Contains("unknown key 'cipher_suites'", LoadFails("tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites: [x]\n").Message);
    }

    [Fact]
    public void MissingOrBrokenCertificatesAreNamedWithTheirPaths()
    {
        using var temporary = new TemporaryDirectory("web-config-");
        string directory = temporary.FullName;
        var e = LoadFails("tls_server_config:\n  cert_file: nope.pem\n  key_file: nope-key.pem\n", directory);
        Assert.Contains("tls_server_config.cert_file: cannot read " + Path.Combine(directory, "nope.pem"), e.Message);

        TestCertificates.Create(directory);
        File.WriteAllText(Path.Combine(directory, "garbage.pem"), "not a certificate");
        Assert.Contains("not a PEM certificate", LoadFails("tls_server_config:\n  cert_file: garbage.pem\n  key_file: server-key.pem\n", directory).Message);
        // A key that isn't the certificate's own.
        Assert.Contains("matching unencrypted private key", LoadFails("tls_server_config:\n  cert_file: server.pem\n  key_file: client-key.pem\n", directory).Message);
        Assert.Contains("client_ca_file: required", LoadFails("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  client_auth_type: VerifyClientCertIfGiven\n", directory).Message);
        Assert.Contains("min_version: 'TLS10' is not supported", LoadFails("tls_server_config:\n  cert_file: server.pem\n  key_file: server-key.pem\n  min_version: TLS10\n", directory).Message);
        Assert.Contains("cert_file and key_file are both required", LoadFails("tls_server_config:\n  cert_file: server.pem\n", directory).Message);
    }

    [Fact]
    public void BadHashesAndTokenFilesAreNamedWithoutQuotingThem()
    {
        const string notAHash = "plain-text-password-3e1";
        var e = LoadFails($"basic_auth_users:\n  alice: {notAHash}\nremote_write_bearer_token_files: [missing-token]\nremote_write_bearer_tokens: ['']\n");
        Assert.Contains("basic_auth_users.alice: not a bcrypt hash", e.Message);
        Assert.Contains("remote_write_bearer_token_files[0]: cannot read", e.Message);
        Assert.Contains("remote_write_bearer_tokens[0]: empty token", e.Message);
        Assert.DoesNotContain(notAHash, e.Message);
    }

    [Fact]
    public void AMissingWebConfigFileStopsTheHostWithAConfigError()
    {
        using var temporary = new TemporaryDirectory("web-config-");
        string directory = temporary.FullName;
        string config = Path.Combine(directory, "sidecar.yml");
        File.WriteAllText(config, SecuredSidecar.Config);
        var e = Assert.Throws<ConfigException>(() => SidecarHost.Build(new CommandLineDefinition().ParseServeFlags(["--config.file", config, "--storage.path", Path.Combine(directory, "data"),
            "--web.config.file", Path.Combine(directory, "absent.yml")])));
        Assert.StartsWith("web config: cannot read " + Path.Combine(directory, "absent.yml"), e.Message);
    }

    [Fact]
    public void WithoutTheFlagNothingIsRequired() => Assert.False(WebConfigLoader.Load(null).RequiresAuthentication);
}
