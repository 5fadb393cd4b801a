using System.Buffers.Binary;

namespace Sidecar.Protocol.Chunks;

/// <summary>
/// Decodes a Prometheus XOR (Gorilla) float chunk without allocating. Layout: a big-endian uint16 sample
/// count; the first timestamp as a zig-zag varint and the first value as 64 raw bits; the second
/// timestamp as a uvarint delta; then delta-of-deltas in buckets '0', '10'+14 bits, '110'+17,
/// '1110'+20, '1111'+64; values as the XOR with the previous one: '0' for equal, '10' to reuse the
/// previous leading/trailing-zero window, '11' + 5 bits leading zeros + 6 bits significant length
/// (0 meaning 64) for a new window.
/// </summary>
internal ref struct XorChunkIterator
{
    private BitReader _bits;
    private int _read;
    private long _delta;
    private int _leading;
    private int _trailing;

    public XorChunkIterator(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length < 2)
            MalformedInputException.Throw("chunk: shorter than its 2-byte header");
        Count = BinaryPrimitives.ReadUInt16BigEndian(chunk);
        _bits = new BitReader(chunk[2..]);
    }

    /// <summary>Samples the chunk declares.</summary>
    public int Count { get; }

    public long Timestamp { get; private set; }

    public double Value { get; private set; }

    public bool MoveNext()
    {
        if (_read >= Count)
            return false;
        if (_read == 0)
        {
            Timestamp = _bits.ReadVarint();
            Value = BitConverter.UInt64BitsToDouble(_bits.ReadBits(64));
        }
        else if (_read == 1)
        {
            _delta = (long)_bits.ReadUvarint();
            Timestamp += _delta;
            ReadValue();
        }
        else
        {
            _delta += ReadDeltaOfDelta();
            Timestamp += _delta;
            ReadValue();
        }
        _read++;
        return true;
    }

    private long ReadDeltaOfDelta()
    {
        int size = 0;
        for (int prefix = 0; prefix < 4; prefix++)
        {
            if (!_bits.ReadBit())
                break;
            size++;
        }
        int width = size switch
        {
            0 => 0,
            1 => 14,
            2 => 17,
            3 => 20,
            _ => 64,
        };
        if (width == 0)
            return 0;
        ulong raw = _bits.ReadBits(width);
        if (width == 64)
            return (long)raw;
        // Two's complement in 'width' bits; Prometheus treats exactly 2^(width-1) as positive.
        long value = (long)raw;
        if (value > 1L << (width - 1))
            value -= 1L << width;
        return value;
    }

    private void ReadValue()
    {
        if (!_bits.ReadBit())
            return;
        if (_bits.ReadBit())
        {
            _leading = (int)_bits.ReadBits(5);
            int significant = (int)_bits.ReadBits(6);
            if (significant == 0)
                significant = 64;
            _trailing = 64 - _leading - significant;
            if (_trailing < 0)
                MalformedInputException.Throw("chunk: XOR window wider than 64 bits");
        }
        int width = 64 - _leading - _trailing;
        ulong xor = _bits.ReadBits(width) << _trailing;
        Value = BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(Value) ^ xor);
    }
}
