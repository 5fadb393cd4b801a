using System.Security.Cryptography;
using System.Text;

namespace Sidecar.Security;

/// <summary>
/// Checks a presented bearer token against the configured ones in constant time: both sides are SHA-256
/// digests (so lengths don't leak), compared with <see cref="CryptographicOperations.FixedTimeEquals"/>,
/// and every configured token is compared, a match or not.
/// </summary>
internal sealed class BearerTokenVerifier(IReadOnlyList<byte[]> tokenDigests)
{
    public bool Verify(string token)
    {
        Span<byte> presented = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), presented);
        bool any = false;
        foreach (byte[] digest in tokenDigests)
            any |= CryptographicOperations.FixedTimeEquals(presented, digest);
        return any;
    }
}
