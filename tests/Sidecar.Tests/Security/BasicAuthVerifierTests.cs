using System.Diagnostics;
using Sidecar.Security;

namespace Sidecar.Tests.Security;

public sealed class BasicAuthVerifierTests
{
    [Fact]
    public async Task ARightPasswordIsRememberedSoRepeatedChecksSkipBcrypt()
    {
        using var verifier = new BasicAuthVerifier(new Dictionary<string, string> { ["prom"] = BCrypt.Net.BCrypt.HashPassword("s3cret", 10) });
        var first = Stopwatch.StartNew();
        Assert.True(await verifier.VerifyAsync("prom", "s3cret", CancellationToken.None));
        first.Stop();
        var repeated = Stopwatch.StartNew();
        for (int i = 0; i < 10; i++)
            Assert.True(await verifier.VerifyAsync("prom", "s3cret", CancellationToken.None));
        repeated.Stop();
        // Cost 10 is tens of milliseconds per check; ten remembered checks together take a fraction of one.
        Assert.True(repeated.Elapsed < first.Elapsed / 2, $"first {first.Elapsed.TotalMilliseconds} ms, ten repeated {repeated.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task WrongPasswordsAndUnknownUsersAreRefusedAndBothPayForBcrypt()
    {
        using var verifier = new BasicAuthVerifier(new Dictionary<string, string> { ["prom"] = BCrypt.Net.BCrypt.HashPassword("s3cret", 10) });
        Assert.True(await verifier.VerifyAsync("prom", "s3cret", CancellationToken.None));
        var wrong = Stopwatch.StartNew();
        Assert.False(await verifier.VerifyAsync("prom", "s3cret!", CancellationToken.None));
        wrong.Stop();
        var unknown = Stopwatch.StartNew();
        Assert.False(await verifier.VerifyAsync("nobody", "s3cret", CancellationToken.None));
        unknown.Stop();
        // Neither is answered from the cache: a bcrypt check at cost 10 takes well over a millisecond.
        Assert.True(wrong.Elapsed > TimeSpan.FromMilliseconds(5), $"wrong password answered in {wrong.Elapsed.TotalMilliseconds} ms");
        Assert.True(unknown.Elapsed > TimeSpan.FromMilliseconds(5), $"unknown user answered in {unknown.Elapsed.TotalMilliseconds} ms");
        Assert.False(await verifier.VerifyAsync("prom", "", CancellationToken.None));
    }
}
