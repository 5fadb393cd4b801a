using Sidecar.Protocol;
using Sidecar.Protocol.Chunks;

namespace Sidecar.Tests.Protocol.Chunks;

public sealed class BitReaderTests
{
    // Reads of every width, from the start and from positions read back earlier, over streams whose ends
    // fall at every distance from the last read: the eight-byte refill and the byte-by-byte one near the
    // end must give the same bits.
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ReadsBackWhatWasWrittenWhereverItStartsAndEnds(int seed)
    {
        var random = new Random(seed);
        for (int round = 0; round < 200; round++)
        {
            var widths = Enumerable.Range(0, random.Next(1, 40)).Select(_ => random.Next(0, 65)).ToArray();
            var values = widths.Select(w => w == 0 ? 0UL : (ulong)random.NextInt64() << 1 >> (64 - w)).ToArray();
            byte[] data = Write(widths, values, out var positions);

            var reader = new BitReader(data);
            for (int i = 0; i < widths.Length; i++)
            {
                Assert.Equal(positions[i], reader.Position);
                Assert.Equal(values[i], reader.ReadBits(widths[i]));
            }

            int from = random.Next(widths.Length);
            var resumed = new BitReader(data, positions[from]);
            for (int i = from; i < widths.Length; i++)
                Assert.Equal(values[i], resumed.ReadBits(widths[i]));
        }
    }

    [Fact]
    public void ReadsSingleBitsAcrossEveryRefill()
    {
        byte[] data = [.. Enumerable.Range(0, 20).Select(i => (byte)(i * 37 + 11))];
        var reader = new BitReader(data);
        for (int i = 0; i < data.Length * 8; i++)
            Assert.Equal(((data[i >> 3] >> (7 - (i & 7))) & 1) != 0, reader.ReadBit());
    }

    [Fact]
    public void ReadingPastTheEndIsMalformedInput()
    {
        byte[] data = new byte[9];
        Assert.Throws<MalformedInputException>(() =>
        {
            var reader = new BitReader(data);
            reader.ReadBits(56);
            reader.ReadBits(16); // all 72 bits the data holds
            reader.ReadBit(); // one more
        });
        var exact = new BitReader(data);
        exact.ReadBits(56);
        Assert.Equal(0UL, exact.ReadBits(16));
    }

    // Big-endian, most significant bit first, as Prometheus' bstream writes.
    private static byte[] Write(int[] widths, ulong[] values, out int[] positions)
    {
        positions = new int[widths.Length];
        var bits = new List<bool>();
        for (int i = 0; i < widths.Length; i++)
        {
            positions[i] = bits.Count;
            for (int b = widths[i] - 1; b >= 0; b--)
                bits.Add(((values[i] >> b) & 1) != 0);
        }
        var data = new byte[(bits.Count + 7) / 8];
        for (int i = 0; i < bits.Count; i++)
        {
            if (bits[i])
                data[i >> 3] |= (byte)(0x80 >> (i & 7));
        }
        return data;
    }
}
