using System.Numerics;

namespace Sidecar.Tests.Support;

/// <summary>
/// An XOR chunk encoder written for the tests from the documented format (Prometheus' chunkenc and the
/// Gorilla paper), independent of the decoder it checks.
/// </summary>
internal sealed class XorChunkEncoder
{
    private readonly List<bool> _bits = [];
    private int _count;
    private long _t, _delta;
    private double _v;
    private int _leading = 0xff, _trailing;

    public void Append(long t, double v)
    {
        if (_count == 0)
        {
            WriteVarintBytes(ZigZag(t));
            WriteBits(BitConverter.DoubleToUInt64Bits(v), 64);
        }
        else if (_count == 1)
        {
            _delta = t - _t;
            WriteVarintBytes((ulong)_delta);
            WriteValue(v);
        }
        else
        {
            long delta = t - _t;
            long dod = delta - _delta;
            if (dod == 0)
                WriteBits(0, 1);
            else if (Fits(dod, 14))
                Bucket(0b10, 2, dod, 14);
            else if (Fits(dod, 17))
                Bucket(0b110, 3, dod, 17);
            else if (Fits(dod, 20))
                Bucket(0b1110, 4, dod, 20);
            else
                Bucket(0b1111, 4, dod, 64);
            _delta = delta;
            WriteValue(v);
        }
        _t = t;
        _v = v;
        _count++;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[2 + (_bits.Count + 7) / 8];
        bytes[0] = (byte)(_count >> 8);
        bytes[1] = (byte)_count;
        for (int i = 0; i < _bits.Count; i++)
        {
            if (_bits[i])
                bytes[2 + i / 8] |= (byte)(0x80 >> (i % 8));
        }
        return bytes;
    }

    private static bool Fits(long value, int bits) => value >= -((1L << (bits - 1)) - 1) && value <= 1L << (bits - 1);

    private void Bucket(ulong prefix, int prefixBits, long dod, int width)
    {
        WriteBits(prefix, prefixBits);
        WriteBits(width == 64 ? (ulong)dod : (ulong)dod & ((1UL << width) - 1), width);
    }

    private void WriteValue(double v)
    {
        ulong xor = BitConverter.DoubleToUInt64Bits(v) ^ BitConverter.DoubleToUInt64Bits(_v);
        if (xor == 0)
        {
            WriteBits(0, 1);
            return;
        }
        WriteBits(1, 1);
        int leading = Math.Min(BitOperations.LeadingZeroCount(xor), 31);
        int trailing = BitOperations.TrailingZeroCount(xor);
        if (_leading != 0xff && leading >= _leading && trailing >= _trailing)
        {
            WriteBits(0, 1);
            WriteBits(xor >> _trailing, 64 - _leading - _trailing);
            return;
        }
        _leading = leading;
        _trailing = trailing;
        int significant = 64 - leading - trailing;
        WriteBits(1, 1);
        WriteBits((ulong)leading, 5);
        WriteBits((ulong)(significant & 63), 6);
        WriteBits(xor >> trailing, significant);
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private void WriteVarintBytes(ulong value)
    {
        while (value >= 0x80)
        {
            WriteBits((value & 0x7f) | 0x80, 8);
            value >>= 7;
        }
        WriteBits(value, 8);
    }

    private void WriteBits(ulong value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
            _bits.Add(((value >> i) & 1) != 0);
    }
}
