using System.Numerics;

namespace Sidecar.Store.Blocks;

/// <summary>
/// Encodes a block of float32 values with Gorilla's XOR scheme, adapted to 32 bits: the first value as
/// its 32 raw bits, then each value as the XOR of its bits with the previous value's, written as
/// <c>0</c> (same bits), <c>10</c> + the XOR's meaningful bits inside the previous window of
/// leading/trailing zeros, or <c>11</c> + 5 bits of leading zeros + 5 bits of (meaningful length - 1)
/// + the meaningful bits. Lossless for every bit pattern, NaN payloads included.
/// </summary>
/// <remarks>
/// A plain struct so that a ring can keep the state of its newest block between samples and append one
/// value at a time; the default value is the state of an empty block. Its window starts as all 32 bits,
/// which <see cref="XorBlockDecoder"/> assumes too.
/// </remarks>
internal struct XorBlockEncoder
{
    /// <summary>The most one value can take: 2 control bits, 10 bits of window, 32 meaningful bits.</summary>
    public const int MaxBitsPerValue = 44;

    private uint _previous;
    private byte _leading;
    private byte _trailing;

    /// <summary>Length of the stream so far; an int, as a block is at most a few KiB.</summary>
    public int BitLength { get; private set; }

    public readonly int ByteLength => (BitLength + 7) >> 3;

    /// <summary>The value appended last, its bits as given; meaningless before the first.</summary>
    public readonly float Last => BitConverter.UInt32BitsToSingle(_previous);

    /// <summary>The buffer size that holds <paramref name="count"/> more values after any stream.</summary>
    public static int MaxBytesFor(int count) => (int)(((long)count * MaxBitsPerValue + 7) >> 3) + 1;

    /// <summary>Appends <paramref name="values"/> to the stream that starts at <paramref name="block"/>[0].</summary>
    /// <param name="block">The block's bytes from its start, with room for <see cref="MaxBytesFor"/> the values.</param>
    public void Append(Span<byte> block, ReadOnlySpan<float> values)
    {
        var writer = new BitWriter(block, BitLength);
        foreach (float value in values)
        {
            uint bits = BitConverter.SingleToUInt32Bits(value);
            if (writer.BitPosition == 0)
                writer.WriteBits(bits, 32);
            else
                WriteXor(ref writer, bits ^ _previous);
            _previous = bits;
        }
        writer.Flush();
        BitLength = (int)writer.BitPosition;
    }

    private void WriteXor(ref BitWriter writer, uint xor)
    {
        if (xor == 0)
        {
            writer.WriteBits(0, 1);
            return;
        }
        int leading = BitOperations.LeadingZeroCount(xor), trailing = BitOperations.TrailingZeroCount(xor);
        // Reuse the previous window when the value fits in it and that costs no more than describing a
        // tighter one: a noisy series would otherwise pay 10 bits per value for windows it barely needs.
        int windowBits = 32 - _leading - _trailing, tightBits = 32 - leading - trailing;
        if (leading >= _leading && trailing >= _trailing && windowBits <= tightBits + 10)
        {
            writer.WriteBits(0b10, 2);
            writer.WriteBits(xor >> _trailing, windowBits);
            return;
        }
        writer.WriteBits(0b11, 2);
        writer.WriteBits((uint)leading, 5);
        writer.WriteBits((uint)(tightBits - 1), 5);
        writer.WriteBits(xor >> trailing, tightBits);
        _leading = (byte)leading;
        _trailing = (byte)trailing;
    }
}
