using Sidecar.Protocol;

namespace Sidecar.Tests.Protocol;

public sealed class ProtoReaderTests
{
    [Theory]
    [InlineData(new byte[] { 0x00 }, 0UL)]
    [InlineData(new byte[] { 0x7f }, 127UL)]
    [InlineData(new byte[] { 0x80, 0x01 }, 128UL)]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, ulong.MaxValue)]
    public void ReadsVarints(byte[] bytes, ulong expected)
    {
        var reader = new ProtoReader(bytes);
        Assert.Equal(expected, reader.ReadVarint());
        Assert.True(reader.End);
    }

    [Fact]
    public void ReadsEveryVarintLengthAtAnyPlaceInTheData()
    {
        // Google.Protobuf encodes; values of every length from 1 to 10 bytes, each followed by 0 to 9 more
        // bytes of data, so the reads near the end of the data take the byte loop and the others the
        // eight-byte load.
        var random = new Random(5);
        for (int i = 0; i < 20_000; i++)
        {
            int bits = random.Next(0, 65);
            ulong value = bits == 0 ? 0 : (ulong)random.NextInt64() << 1 ^ (ulong)random.Next(2);
            value = bits == 64 ? value | 1UL << 63 : value & ((1UL << bits) - 1);
            var bytes = new MemoryStream();
            var output = new Google.Protobuf.CodedOutputStream(bytes);
            output.WriteUInt64(value);
            int trailing = random.Next(0, 10);
            for (int t = 0; t < trailing; t++)
                output.WriteRawTag((byte)random.Next(0, 256));
            output.Flush();
            var reader = new ProtoReader(bytes.ToArray());
            Assert.Equal(value, reader.ReadVarint());
            Assert.Equal(Google.Protobuf.CodedOutputStream.ComputeUInt64Size(value), reader.Position);
        }
    }

    [Theory]
    [InlineData(new byte[] { 0x80 }, "truncated varint")]
    [InlineData(new byte[] { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 }, "overflows")]
    [InlineData(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 }, "longer than 10 bytes")]
    public void RejectsBadVarints(byte[] bytes, string message)
    {
        var e = Assert.Throws<MalformedInputException>(() => new ProtoReader(bytes).ReadVarint());
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void RejectsALengthPastTheEnd()
    {
        // Length 2^62, as a hostile sender might claim.
        byte[] bytes = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x01];
        var e = Assert.Throws<MalformedInputException>(() => new ProtoReader(bytes).ReadLengthDelimited());
        Assert.Contains("runs past the end", e.Message);
    }

    [Fact]
    public void RejectsFieldNumberZeroAndGroups()
    {
        Assert.Throws<MalformedInputException>(() => new ProtoReader([0x02, 0x00]).TryReadTag(out _, out _));
        Assert.Throws<MalformedInputException>(() =>
        {
            var reader = new ProtoReader([0x0b]);
            reader.TryReadTag(out _, out WireType type);
            reader.Skip(type);
        });
    }

    [Fact]
    public void RejectsTruncatedFixedWidthFields()
    {
        Assert.Throws<MalformedInputException>(() => new ProtoReader([1, 2, 3]).ReadFixed64());
        Assert.Throws<MalformedInputException>(() => new ProtoReader([1, 2, 3]).Skip(WireType.Fixed32));
    }

    [Fact]
    public void AShortFieldIsReadOnlyWhenItsTagMatchesAndItsOneByteLengthFitsTheRest()
    {
        byte[] payload127 = Enumerable.Range(0, 127).Select(i => (byte)i).ToArray();
        // Taken: the tag, a one-byte length, the payload whole; the position moves past it.
        var reader = new ProtoReader([0x0a, 0x7f, .. payload127, 0x12, 0x00]);
        Assert.True(reader.TryReadShortField(0x0a, out ReadOnlySpan<byte> payload));
        Assert.Equal(payload127, payload.ToArray());
        Assert.Equal(129, reader.Position);
        Assert.True(reader.TryReadShortField(0x12, out payload));
        Assert.Equal(0, payload.Length);
        Assert.True(reader.End);
        Assert.False(reader.TryReadShortField(0x12, out _));

        // Not taken, nothing read: another tag, a length of two bytes (128), a payload past the end, a lone tag.
        foreach (byte[] bytes in new[]
        {
            new byte[] { 0x12, 0x01, 0x00 },
            [0x0a, 0x80, 0x01, .. new byte[128]],
            [0x0a, 0x03, 0x00, 0x00],
            [0x0a],
        })
        {
            var other = new ProtoReader(bytes);
            Assert.False(other.TryReadShortField(0x0a, out _));
            Assert.Equal(0, other.Position);
        }
    }
}
