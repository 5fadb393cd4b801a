using Sidecar.Protocol.Chunks;
using Sidecar.Store.Blocks;

namespace Sidecar.Tests.Store.Blocks;

public sealed class BitWriterTests
{
    [Fact]
    public void WritesMostSignificantBitFirstAndPadsTheLastByteWithZeros()
    {
        var buffer = new byte[3];
        var writer = new BitWriter(buffer, 0);
        writer.WriteBits(0b101, 3);
        writer.WriteBits(0xABC, 12);
        writer.Flush();
        Assert.Equal(15, writer.BitPosition);
        // 101 1010 1011 1100, then a zero pad bit.
        Assert.Equal(new byte[] { 0b1011_0101, 0b0111_1000, 0 }, buffer);
    }

    [Fact]
    public void ContinuesAStreamAtItsBitPositionAndRewritesGarbageAfterIt()
    {
        var random = new Random(7);
        var writes = Enumerable.Range(0, 500).Select(_ => (Bits: (uint)random.NextInt64(1L << 32), Count: random.Next(0, 33))).ToArray();
        var buffer = new byte[500 * 4 + 1];
        long position = 0;
        foreach (var (bits, count) in writes)
        {
            // Bytes past the stream's end hold leftovers, as after a block shrank: they must not leak in.
            buffer.AsSpan((int)((position + 7) >> 3)).Fill(0xFF);
            var writer = new BitWriter(buffer, position);
            writer.WriteBits(bits, count);
            writer.Flush();
            position = writer.BitPosition;
        }
        var reader = new BitReader(buffer);
        foreach (var (bits, count) in writes)
            Assert.Equal(count == 32 ? bits : bits & ((1u << count) - 1), (uint)reader.ReadBits(count));
    }
}
