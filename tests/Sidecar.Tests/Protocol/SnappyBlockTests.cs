using System.Buffers;
using Sidecar.Protocol;

namespace Sidecar.Tests.Protocol;

public sealed class SnappyBlockTests
{
    [Fact]
    public void RoundTrips()
    {
        byte[] raw = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("node_load1 ", 500)));
        byte[] decoded = SnappyBlock.DecompressRented(Snappier.Snappy.CompressToArray(raw), 1 << 20, out int length);
        try
        {
            Assert.Equal(raw, decoded[..length]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(decoded);
        }
    }

    [Fact]
    public void RejectsADeclaredSizeOverTheLimitBeforeDecoding()
    {
        // Declares 2^32-1 bytes: a decompression bomb of six bytes.
        byte[] bomb = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00];
        var e = Assert.ThrowsAny<Exception>(() => SnappyBlock.DecompressRented(bomb, 1 << 20, out _));
        Assert.True(e is PayloadTooLargeException or MalformedInputException, e.GetType().Name);
        byte[] gigabyte = [0x80, 0x80, 0x80, 0x80, 0x04, 0x00];
        Assert.Throws<PayloadTooLargeException>(() => SnappyBlock.DecompressRented(gigabyte, 1 << 20, out _));
    }

    [Fact]
    public void RejectsCorruptAndTruncatedBlocks()
    {
        byte[] valid = Snappier.Snappy.CompressToArray(new byte[1000]);
        Assert.Throws<MalformedInputException>(() => SnappyBlock.DecompressRented(valid[..(valid.Length - 1)], 1 << 20, out _));
        Assert.Throws<MalformedInputException>(() => SnappyBlock.DecompressRented([0x80], 1 << 20, out _));
        // Random bytes and byte flips of valid blocks, against Snappier as the reference: what we decode, it
        // decodes to the same bytes; what it rejects, we reject (a block over our size limit aside).
        var random = new Random(5);
        byte[] text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("node_cpu_seconds_total{mode=\"idle\"} ", 20)));
        byte[] compressible = Snappier.Snappy.CompressToArray(text);
        int agreed = 0, rejected = 0;
        for (int i = 0; i < 2000; i++)
        {
            byte[] bytes;
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes = (byte[])compressible.Clone();
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            byte[]? reference;
            try
            {
                reference = Snappier.Snappy.DecompressToArray(bytes);
            }
            catch (Exception e) when (e is InvalidDataException or OverflowException or ArgumentException or IndexOutOfRangeException)
            {
                // Snappier says no, in one of its ways (an impossible length overflows before it is checked).
                reference = null;
            }
            try
            {
                byte[] decoded = SnappyBlock.DecompressRented(bytes, 1 << 16, out int length);
                Assert.NotNull(reference);
                Assert.Equal(reference, decoded.AsSpan(0, length).ToArray());
                ArrayPool<byte>.Shared.Return(decoded);
                agreed++;
            }
            catch (MalformedInputException)
            {
                Assert.Null(reference);
                rejected++;
            }
            catch (PayloadTooLargeException)
            {
            }
        }
        Assert.True(agreed > 50 && rejected > 50, $"decoded {agreed}, rejected {rejected}");
    }
}
