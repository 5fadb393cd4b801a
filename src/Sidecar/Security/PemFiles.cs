using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sidecar.Host;

namespace Sidecar.Security;

/// <summary>
/// Loads PEM certificates and keys named in a config, turning every failure into a <see cref="ConfigException"/>
/// that names the key and the file: a missing or broken certificate stops startup, it never crashes a handshake later.
/// </summary>
internal static class PemFiles
{
    /// <summary>Relative paths are taken from the directory of the file that names them, as Prometheus does.</summary>
    public static string Resolve(string path, string baseDirectory) => Path.GetFullPath(path, baseDirectory);

    /// <summary>The first certificate of <paramref name="certPath"/> with the private key of <paramref name="keyPath"/>, and any further certificates (intermediates) after it.</summary>
    public static (X509Certificate2 Certificate, X509Certificate2Collection Intermediates) LoadCertificateWithKey(string certKey, string certPath, string keyKey, string keyPath)
    {
        RequireReadable(certKey, certPath);
        RequireReadable(keyKey, keyPath);
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            // A key of another certificate is an ArgumentException, a malformed file a CryptographicException.
            // The runtime's message says only "malformed or the key does not match"; which file is the useful part.
            throw new ConfigException($"{certKey} {certPath} and {keyKey} {keyPath}: not a PEM certificate with its matching unencrypted private key ({e.Message})");
        }
        var all = LoadCertificates(certKey, certPath);
        var intermediates = new X509Certificate2Collection();
        foreach (var extra in all.Skip(1))
            intermediates.Add(extra);
        return (certificate, intermediates);
    }

    public static X509Certificate2Collection LoadCertificates(string key, string path)
    {
        RequireReadable(key, path);
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (CryptographicException e)
        {
            throw new ConfigException($"{key} {path}: not a PEM certificate file ({e.Message})");
        }
        if (certificates.Count == 0)
            throw new ConfigException($"{key} {path}: holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        return certificates;
    }

    public static void RequireReadable(string key, string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{key}: cannot read {path}: {e.Message}");
        }
    }
}
