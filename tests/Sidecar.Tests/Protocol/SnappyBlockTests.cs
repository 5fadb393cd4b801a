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
        var random = new Random(5);
        for (int i = 0; i < 1000; i++)
        {
            var bytes = new byte[random.Next(1, 200)];
            random.NextBytes(bytes);
            try
            {
                byte[] decoded = SnappyBlock.DecompressRented(bytes, 1 << 16, out _);
                ArrayPool<byte>.Shared.Return(decoded);
            }
            catch (Exception e) when (e is MalformedInputException or PayloadTooLargeException)
            {
            }
        }
    }
}
