using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sidecar.Security;

/// <summary>
/// Chain validation against the certificates of a CA file only, as Go's <c>RootCAs</c>/<c>ClientCAs</c> do:
/// the system's roots are not trusted then, and private CAs need no installing.
/// </summary>
internal static class CustomTrust
{
    public static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1");
    public static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    /// <param name="presented">The chain the peer sent, whose intermediates may be needed to reach a root.</param>
    public static bool Verify(X509Certificate2 leaf, X509Chain? presented, X509Certificate2Collection roots, Oid usage)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        // CA files carry no revocation lists, and fetching them would leave the loopback.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(usage);
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }
        return chain.Build(leaf);
    }
}
