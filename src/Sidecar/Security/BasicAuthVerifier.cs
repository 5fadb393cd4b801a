using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sidecar.Security;

/// <summary>
/// Checks basic-auth credentials against bcrypt hashes. bcrypt costs tens of milliseconds by design, and
/// Prometheus sends the same credentials with every remote-write, so a successful check is remembered
/// under a keyed digest of user, password and hash (never the password itself), and at most a few checks
/// run at once so that guessing can't take every core. An unknown user costs a full bcrypt check too,
/// against a hash made at start, so the response time doesn't tell which users exist.
/// </summary>
internal sealed class BasicAuthVerifier : IDisposable
{
    private const int CacheCapacity = 1024;

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _unknownUserHash;
    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _bcryptSlots = new(Math.Max(1, Environment.ProcessorCount / 2));

    public BasicAuthVerifier(IReadOnlyDictionary<string, string> users)
    {
        _users = users;
        // Same cost as the real hashes, so the unknown-user check takes as long as a wrong password.
        int cost = users.Values.Select(h => int.Parse(h.AsSpan(4, 2), CultureInfo.InvariantCulture)).DefaultIfEmpty(10).Max();
        _unknownUserHash = BCrypt.Net.BCrypt.HashPassword(Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)), cost);
    }

    public async ValueTask<bool> VerifyAsync(string user, string password, CancellationToken cancellation)
    {
        bool known = _users.TryGetValue(user, out string? hash);
        hash ??= _unknownUserHash;
        string cacheKey = CacheKey(user, password, hash);
        if (known && _verified.ContainsKey(cacheKey))
            return true;
        await _bcryptSlots.WaitAsync(cancellation);
        bool matches;
        try
        {
            matches = BCrypt.Net.BCrypt.Verify(password, hash);
        }
        finally
        {
            _bcryptSlots.Release();
        }
        if (!(known && matches))
            return false;
        if (_verified.Count >= CacheCapacity)
            _verified.Clear(); // crude, but bounded; the cost is one bcrypt per distinct client afterwards
        _verified[cacheKey] = true;
        return true;
    }

    private string CacheKey(string user, string password, string hash)
    {
        byte[] material = Encoding.UTF8.GetBytes(string.Join('\0', user, password, hash));
        try
        {
            return Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, material));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    public void Dispose() => _bcryptSlots.Dispose();
}
