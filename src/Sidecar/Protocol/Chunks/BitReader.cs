using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sidecar.Protocol.Chunks;

/// <summary>
/// Reads a big-endian bit stream, most significant bit first, as Prometheus' chunk encoders write it.
/// Keeps up to 64 bits in a register, refilled eight bytes at a time (byte by byte near the end); running
/// out of input is malformed.
/// </summary>
internal ref struct BitReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _next;
    private ulong _buffer;
    private int _bits;

    /// <summary>A reader over <paramref name="data"/> that carries on at <paramref name="position"/>, a <see cref="Position"/> read earlier from the same bits.</summary>
    public BitReader(ReadOnlySpan<byte> data, int position) : this(data)
    {
        _next = position >> 3;
        int used = position & 7;
        if (used > 0)
            Refill(8);
        _bits -= used;
    }

    /// <summary>Bits read so far, counted from the start of the data.</summary>
    public readonly int Position => (_next << 3) - _bits;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool ReadBit()
    {
        if (_bits == 0)
            Refill(1);
        _bits--;
        return ((_buffer >> _bits) & 1) != 0;
    }

    /// <summary>Reads <paramref name="count"/> bits (0 to 64) as an unsigned number.</summary>
    public ulong ReadBits(int count)
    {
        if (count == 0)
            return 0;
        if (count > 56)
        {
            // Split so the register never needs more than 56 new bits at once.
            ulong high = ReadBits(count - 32);
            return (high << 32) | ReadBits(32);
        }
        if (_bits < count)
            Refill(count);
        _bits -= count;
        ulong mask = count == 64 ? ulong.MaxValue : (1UL << count) - 1;
        return (_buffer >> _bits) & mask;
    }

    public byte ReadByte() => (byte)ReadBits(8);

    /// <summary>A Go <c>binary.Uvarint</c>, written byte by byte into the bit stream.</summary>
    public ulong ReadUvarint()
    {
        ulong result = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            byte b = ReadByte();
            if (shift == 63 && b > 1)
                MalformedInputException.Throw("chunk: varint overflows 64 bits");
            result |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                return result;
        }
        MalformedInputException.Throw("chunk: varint longer than 10 bytes");
        return 0;
    }

    /// <summary>A Go <c>binary.Varint</c> (zig-zag signed).</summary>
    public long ReadVarint()
    {
        ulong zigzag = ReadUvarint();
        return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
    }

    private void Refill(int needed)
    {
        // Where eight bytes remain, one big-endian load tops the register up to at least 57 bits (every
        // read needs at most 56): decoding a value then refills once, not once per byte. Near the end of
        // the data, byte by byte, so a read never touches a byte past it. A refill comes only with fewer
        // than 56 bits held, so at least one byte fits and no shift below is by 64 (which C# takes as 0).
        if (_next <= _data.Length - sizeof(ulong))
        {
            int bytes = (64 - _bits) >> 3;
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(_data[_next..]);
            _buffer = bytes == sizeof(ulong) ? word : (_buffer << (bytes * 8)) | (word >> (64 - bytes * 8));
            _next += bytes;
            _bits += bytes * 8;
            return;
        }
        while (_bits < needed)
        {
            if (_next >= _data.Length)
                MalformedInputException.Throw("chunk: data ends before its last sample");
            _buffer = (_buffer << 8) | _data[_next++];
            _bits += 8;
        }
    }
}
