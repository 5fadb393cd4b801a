using Sidecar.Protocol.Chunks;

namespace Sidecar.Store.Blocks;

/// <summary>
/// Reads back, one value at a time, a block written by <see cref="XorBlockEncoder"/>. Allocates nothing:
/// it walks the caller's bytes, so the caller must know how many values the block holds.
/// </summary>
internal ref struct XorBlockDecoder(ReadOnlySpan<byte> block)
{
    // Prometheus' chunk reader fits: the same bit order, over a span, and it throws rather than read past the end.
    private BitReader _reader = new(block);
    private uint _previous;
    private int _leading;
    private int _trailing;
    private bool _started;

    /// <summary>Carries on where a decoder of the same bytes stood when it gave <paramref name="state"/>.</summary>
    public XorBlockDecoder(ReadOnlySpan<byte> block, XorDecoderState state) : this(block)
    {
        _reader = new BitReader(block, state.BitPosition);
        _previous = state.Previous;
        _leading = state.Leading;
        _trailing = state.Trailing;
        _started = state.Started;
    }

    /// <summary>Where the decoder stands, to carry on later over the same bytes (a ref struct can't be kept).</summary>
    public readonly XorDecoderState State => new(_reader.Position, _previous, (byte)_leading, (byte)_trailing, _started);

    public float Next()
    {
        if (!_started)
        {
            _started = true;
            _previous = (uint)_reader.ReadBits(32);
        }
        else if (_reader.ReadBit())
        {
            if (_reader.ReadBit())
            {
                _leading = (int)_reader.ReadBits(5);
                int meaningful = (int)_reader.ReadBits(5) + 1;
                _trailing = 32 - _leading - meaningful;
            }
            _previous ^= (uint)_reader.ReadBits(32 - _leading - _trailing) << _trailing;
        }
        return BitConverter.UInt32BitsToSingle(_previous);
    }

    /// <summary>Passes over <paramref name="count"/> values.</summary>
    public void Skip(int count)
    {
        for (int i = 0; i < count; i++)
            Next();
    }
}

/// <summary>A <see cref="XorBlockDecoder"/>'s position and the values it decodes against, kept between reads.</summary>
internal readonly record struct XorDecoderState(int BitPosition, uint Previous, byte Leading, byte Trailing, bool Started);
