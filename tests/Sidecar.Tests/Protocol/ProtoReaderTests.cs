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
}
