using Sidecar.Protocol;
using Sidecar.Store.Blocks;

namespace Sidecar.Tests.Store.Blocks;

public sealed class XorBlockEncoderTests
{
    public static TheoryData<string> Shapes => ["special", "constant", "random bits", "denormals", "slow drift", "two decimals", "gaps"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryBitPatternRoundTrips(string shape)
    {
        foreach (int length in new[] { 1, 2, 3, 127, 128, 1000 })
        {
            uint[] bits = Values(shape, length, new Random(length));
            Assert.Equal(bits, RoundTrip(bits, appendInPieces: false));
            Assert.Equal(bits, RoundTrip(bits, appendInPieces: true));
        }
    }

    [Fact]
    public void AConstantBlockCostsOneBitPerValueAfterTheFirst()
    {
        var encoder = new XorBlockEncoder();
        encoder.Append(new byte[XorBlockEncoder.MaxBytesFor(128)], Enumerable.Repeat(4096f * 123, 128).ToArray());
        Assert.Equal(32 + 127, encoder.BitLength);
    }

    [Fact]
    public void NoValueTakesMoreThanTheBoundTheBuffersAreSizedFor()
    {
        uint[] bits = Values("random bits", 10_000, new Random(3));
        var encoder = new XorBlockEncoder();
        var floats = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        encoder.Append(new byte[XorBlockEncoder.MaxBytesFor(floats.Length)], floats);
        Assert.InRange(encoder.BitLength, 32, 32 + (floats.Length - 1) * XorBlockEncoder.MaxBitsPerValue);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ADecoderResumedFromItsStateAfterAnyValueGoesOnAsOneThatNeverStopped(string shape)
    {
        uint[] bits = Values(shape, 200, new Random(7));
        byte[] block = Encode(bits);
        for (int stop = 0; stop <= bits.Length; stop++)
        {
            var first = new XorBlockDecoder(block);
            first.Skip(stop);
            var resumed = new XorBlockDecoder(block, first.State);
            for (int i = stop; i < bits.Length; i++)
                Assert.Equal(bits[i], BitConverter.SingleToUInt32Bits(resumed.Next()));
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ABlockCutShortGivesEveryValueItHoldsWholeThenAMalformedInputError(string shape)
    {
        uint[] bits = Values(shape, 40, new Random(11));
        byte[] block = Encode(bits);
        // Where each value ends, in bits from the block's start.
        var ends = new int[bits.Length];
        var whole = new XorBlockDecoder(block);
        for (int i = 0; i < bits.Length; i++)
        {
            whole.Next();
            ends[i] = whole.State.BitPosition;
        }
        for (int length = 0; length < block.Length; length++)
        {
            var decoder = new XorBlockDecoder(block.AsSpan(0, length));
            int decoded = 0;
            bool malformed = false;
            try
            {
                for (; decoded < bits.Length; decoded++)
                    Assert.Equal(bits[decoded], BitConverter.SingleToUInt32Bits(decoder.Next()));
            }
            catch (MalformedInputException)
            {
                malformed = true;
            }
            Assert.True(malformed, $"cut to {length} bytes");
            Assert.Equal(ends.Count(end => end <= length * 8), decoded);
        }
    }

    private static byte[] Encode(uint[] bits)
    {
        var floats = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var buffer = new byte[XorBlockEncoder.MaxBytesFor(floats.Length)];
        var encoder = new XorBlockEncoder();
        encoder.Append(buffer, floats);
        return buffer[..encoder.ByteLength];
    }

    private static uint[] RoundTrip(uint[] bits, bool appendInPieces)
    {
        var floats = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var buffer = new byte[XorBlockEncoder.MaxBytesFor(floats.Length)];
        var encoder = new XorBlockEncoder();
        if (appendInPieces)
        {
            // As a ring appends its newest block: a step at a time, or a few at once.
            var random = new Random(floats.Length);
            for (int i = 0; i < floats.Length;)
            {
                int take = Math.Min(random.Next(1, 4), floats.Length - i);
                encoder.Append(buffer, floats.AsSpan(i, take));
                i += take;
            }
        }
        else
        {
            encoder.Append(buffer, floats);
        }
        var decoder = new XorBlockDecoder(buffer.AsSpan(0, encoder.ByteLength));
        var decoded = new uint[bits.Length];
        for (int i = 0; i < decoded.Length; i++)
            decoded[i] = BitConverter.SingleToUInt32Bits(decoder.Next());
        return decoded;
    }

    private static uint[] Values(string shape, int length, Random random)
    {
        uint[] special =
        [
            BitConverter.SingleToUInt32Bits(float.NaN), 0x7FC0_0000, 0x7F80_0001, 0xFFBF_FFFF, 0x7FC1_2345,
            BitConverter.SingleToUInt32Bits(float.PositiveInfinity), BitConverter.SingleToUInt32Bits(float.NegativeInfinity),
            0x8000_0000, 0, BitConverter.SingleToUInt32Bits(float.Epsilon), BitConverter.SingleToUInt32Bits(float.MaxValue),
            BitConverter.SingleToUInt32Bits(float.MinValue), 0xFFFF_FFFF, 1,
        ];
        return [.. Enumerable.Range(0, length).Select(i => shape switch
        {
            "special" => special[random.Next(special.Length)],
            "constant" => BitConverter.SingleToUInt32Bits(8.0e9f),
            "random bits" => (uint)random.NextInt64(1L << 32),
            "denormals" => (uint)random.Next(1, 0x80_0000) | (random.Next(2) == 0 ? 0 : 0x8000_0000),
            "slow drift" => BitConverter.SingleToUInt32Bits(4096f * (2_000_000 + i / 7)),
            "two decimals" => BitConverter.SingleToUInt32Bits(MathF.Round(1.5f + random.NextSingle(), 2)),
            _ => random.Next(5) == 0 ? BitConverter.SingleToUInt32Bits(float.NaN) : BitConverter.SingleToUInt32Bits(i),
        })];
    }
}
