using System.Diagnostics.CodeAnalysis;

namespace Sidecar.Store;

/// <summary>
/// Compares byte-array keys by content and lets a dictionary be probed with a span, so a lookup of a
/// label set that was seen before allocates nothing.
/// </summary>
internal sealed class ByteKeyComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
{
    public static readonly ByteKeyComparer Instance = new();

    public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

    public int GetHashCode([DisallowNull] byte[] obj) => GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

    // A label set's key is a few hundred bytes and is hashed once per series of every request. XXH3 reads
    // it in wide blocks where HashCode.AddBytes mixes four bytes at a time; the seed is drawn per process,
    // as HashCode's is, so label sets that collide can't be prepared ahead.
    private static readonly long Seed = Random.Shared.NextInt64();

    public int GetHashCode(ReadOnlySpan<byte> alternate) => (int)System.IO.Hashing.XxHash3.HashToUInt64(alternate, Seed);

    public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
}
