using System.Runtime.CompilerServices;

namespace Sidecar.Store.Blocks;

/// <summary>
/// Writes a bit stream most significant bit first, the order <see cref="Protocol.Chunks.BitReader"/>
/// reads, into a caller's buffer from any bit position, so an encoded block can be continued later.
/// Bits are gathered in a register and stored a byte at a time; <see cref="Flush"/> stores the last
/// partial byte. The bits after the end of what was written are left zero.
/// </summary>
internal ref struct BitWriter
{
    private readonly Span<byte> _buffer;
    private int _nextByte;
    private ulong _pending;
    private int _pendingBits;

    /// <param name="buffer">Must have room for every bit to be written; bytes before <paramref name="bitPosition"/> are kept.</param>
    /// <param name="bitPosition">Where writing starts: the end of the stream being continued.</param>
    public BitWriter(Span<byte> buffer, long bitPosition)
    {
        _buffer = buffer;
        _nextByte = (int)(bitPosition >> 3);
        _pendingBits = (int)(bitPosition & 7);
        // The partial byte's written bits are taken back into the register, so its other bits are rewritten.
        _pending = _pendingBits == 0 ? 0 : (ulong)(_buffer[_nextByte] >> (8 - _pendingBits));
    }

    /// <summary>The position after the last bit written.</summary>
    public readonly long BitPosition => ((long)_nextByte << 3) + _pendingBits;

    /// <summary>Writes the low <paramref name="count"/> bits (0 to 32) of <paramref name="bits"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(uint bits, int count)
    {
        // At most 7 bits wait in the register between calls, so 32 more always fit.
        ulong mask = (1UL << count) - 1;
        _pending = (_pending << count) | (bits & mask);
        _pendingBits += count;
        while (_pendingBits >= 8)
        {
            _pendingBits -= 8;
            _buffer[_nextByte++] = (byte)(_pending >> _pendingBits);
        }
    }

    /// <summary>Stores the bits of a last, partial byte (zero-padded). The writer may go on writing afterwards.</summary>
    public readonly void Flush()
    {
        if (_pendingBits > 0)
            _buffer[_nextByte] = (byte)(_pending << (8 - _pendingBits));
    }
}
