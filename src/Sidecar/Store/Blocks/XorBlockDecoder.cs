using System.Buffers.Binary;
using Sidecar.Protocol;

namespace Sidecar.Store.Blocks;

/// <summary>
/// Reads back, one value at a time, a block written by <see cref="XorBlockEncoder"/>. Allocates nothing:
/// it walks the caller's bytes, so the caller must know how many values the block holds.
/// </summary>
/// <remarks>
/// A value is one of three cases, told by its first bits: <c>0</c>, the value again; <c>10</c>, its XOR
/// with the value before in the window of the last <c>11</c>; <c>11</c>, five bits of leading zeros and
/// five of the width − 1 of a new window, then the XOR in it (Gorilla's scheme, as Prometheus' chunks).
/// Which case comes next depends on the data; this decoder works every case out at once and picks with
/// conditional moves rather than branching on it, over a 64-bit buffer topped up before each value (a
/// value takes at most 44 bits), and decodes a run of values with its state in locals. Decoding the
/// sixteen values a history cursor keeps ahead took a tenth of the inference step's managed time in a
/// perf profile (issue 19); a run of them took 3.7 ns a value so, against 6.8 for the decoder before,
/// which branched and went through its fields one call a value (a sine's block, every method tiered up).
/// </remarks>
internal ref struct XorBlockDecoder
{
    private readonly ReadOnlySpan<byte> _block;

    // The block's bits not yet decoded, the next one at the top. Only the top _bits of them count; those
    // below are the block's own next bits or zeros, so topping the buffer up can OR whole words over them.
    private ulong _buffer;
    private int _bits;

    // The first byte of the block not yet counted in _bits.
    private int _next;

    private uint _previous;
    private int _leading;
    private int _trailing;
    private bool _started;

    public XorBlockDecoder(ReadOnlySpan<byte> block)
    {
        _block = block;
    }

    /// <summary>Carries on where a decoder of the same bytes stood when it gave <paramref name="state"/>.</summary>
    public XorBlockDecoder(ReadOnlySpan<byte> block, XorDecoderState state)
    {
        _block = block;
        Position(state.BitPosition);
        _previous = state.Previous;
        _leading = state.Leading;
        _trailing = state.Trailing;
        _started = state.Started;
    }

    /// <summary>Where the decoder stands, to carry on later over the same bytes (a ref struct can't be kept).</summary>
    public readonly XorDecoderState State => new((_next << 3) - _bits, _previous, (byte)_leading, (byte)_trailing, _started);

    /// <summary>The next value.</summary>
    /// <exception cref="MalformedInputException">The block ends before the value does.</exception>
    public float Next()
    {
        float value = 0;
        Next(new Span<float>(ref value));
        return value;
    }

    /// <summary>Decodes the next <paramref name="destination"/>.Length values into it.</summary>
    /// <exception cref="MalformedInputException">The block ends before the last of them does.</exception>
    public void Next(scoped Span<float> destination)
    {
        // The decoder's state in locals for the loop, which keeps them in registers (see the remarks).
        ReadOnlySpan<byte> block = _block;
        ulong buffer = _buffer;
        int held = _bits, next = _next, leading = _leading, trailing = _trailing;
        uint previous = _previous;
        bool started = _started;
        int wordEnd = block.Length - sizeof(ulong);
        for (int i = 0; i < destination.Length; i++)
        {
            // Topped up to at least 56 of the block's bits (at most 63, so no shift below is by 64), or to
            // the block's end: where eight bytes remain by one big-endian load, whatever the buffer holds.
            if (next <= wordEnd)
            {
                buffer |= BinaryPrimitives.ReadUInt64BigEndian(block[next..]) >> held;
                int bytes = (63 - held) >> 3;
                next += bytes;
                held += bytes << 3;
            }
            else
            {
                while (held <= 56 && next < block.Length)
                {
                    buffer |= (ulong)block[next++] << (56 - held);
                    held += 8;
                }
            }
            int used;
            if (!started)
            {
                started = true;
                previous = (uint)(buffer >> 32);
                used = 32;
            }
            else
            {
                int changed = (int)(buffer >> 63);
                int newWindow = changed & (int)(buffer >> 62);
                int meaningful = newWindow != 0 ? ((int)(buffer >> 52) & 31) + 1 : 32 - leading - trailing;
                leading = newWindow != 0 ? (int)(buffer >> 57) & 31 : leading;
                int header = 1 + changed + 10 * newWindow;
                int payloadBits = changed * meaningful;
                // The payload's bits from the top, none for an unchanged value: shifted by 1 and then by at
                // most 63, since a shift by 64 is a shift by 0 in C#.
                ulong payload = (buffer << header) >> 1 >> (63 - payloadBits);
                trailing = 32 - leading - meaningful;
                previous ^= (uint)(payload << trailing);
                used = header + payloadBits;
            }
            if (used > held)
                MalformedInputException.Throw("block: data ends before its last value");
            buffer <<= used;
            held -= used;
            destination[i] = BitConverter.UInt32BitsToSingle(previous);
        }
        _buffer = buffer;
        _bits = held;
        _next = next;
        _leading = leading;
        _trailing = trailing;
        _previous = previous;
        _started = started;
    }

    /// <summary>Passes over <paramref name="count"/> values.</summary>
    public void Skip(int count)
    {
        Span<float> passed = stackalloc float[32];
        for (; count > 0; count -= passed.Length)
            Next(passed[..Math.Min(count, passed.Length)]);
    }

    // At a resumed decoder's start: the bytes up to its position, then the bits of its byte it had passed.
    private void Position(int bitPosition)
    {
        _next = bitPosition >> 3;
        int passed = bitPosition & 7;
        if (passed == 0)
            return;
        if (_next >= _block.Length)
            MalformedInputException.Throw("block: data ends before its last value");
        _buffer = (ulong)_block[_next++] << (56 + passed);
        _bits = 8 - passed;
    }
}

/// <summary>A <see cref="XorBlockDecoder"/>'s position and the values it decodes against, kept between reads.</summary>
internal readonly record struct XorDecoderState(int BitPosition, uint Previous, byte Leading, byte Trailing, bool Started);
