using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sidecar.Protocol;

/// <summary>
/// Forward-only protobuf reader over a span. It never allocates: length-delimited fields come back
/// as slices of the input. Any structural error throws <see cref="MalformedInputException"/>, since a
/// request body is always complete when it reaches us.
/// </summary>
internal ref struct ProtoReader(ReadOnlySpan<byte> buffer)
{
    private readonly ReadOnlySpan<byte> _buffer = buffer;
    private int _position;

    public readonly bool End => _position >= _buffer.Length;

    public readonly int Position => _position;

    public bool TryReadTag(out int field, out WireType wireType)
    {
        if (End)
        {
            field = 0;
            wireType = default;
            return false;
        }
        ulong tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (field <= 0 || tag >> 3 > int.MaxValue)
            MalformedInputException.Throw($"protobuf: invalid field number {tag >> 3}");
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReadVarint()
    {
        ReadOnlySpan<byte> rest = _buffer[_position..];
        if (rest.Length > 0 && rest[0] < 0x80)
        {
            _position++;
            return rest[0];
        }
        return ReadVarintSlow(rest);
    }

    private ulong ReadVarintSlow(ReadOnlySpan<byte> rest)
    {
        ulong result = 0;
        for (int i = 0; i < 10; i++)
        {
            if (i >= rest.Length)
                MalformedInputException.Throw("protobuf: truncated varint");
            byte b = rest[i];
            result |= (ulong)(b & 0x7f) << (7 * i);
            if (b < 0x80)
            {
                if (i == 9 && b > 1)
                    MalformedInputException.Throw("protobuf: varint overflows 64 bits");
                _position += i + 1;
                return result;
            }
        }
        MalformedInputException.Throw("protobuf: varint longer than 10 bytes");
        return 0;
    }

    public double ReadDouble() => BitConverter.Int64BitsToDouble((long)ReadFixed64());

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _position < 8)
            MalformedInputException.Throw("protobuf: truncated fixed64");
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Slice(_position, 8));
        _position += 8;
        return value;
    }

    public ReadOnlySpan<byte> ReadLengthDelimited()
    {
        ulong length = ReadVarint();
        if (length > (ulong)(_buffer.Length - _position))
            MalformedInputException.Throw($"protobuf: field length {length} runs past the end of its message");
        ReadOnlySpan<byte> slice = _buffer.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>
    /// Reads the next field if it is the usual small one: tag <paramref name="tag"/> in one byte (a field
    /// number below 16) and a length-delimited payload under 128 bytes, whole in the buffer. Remote-write's
    /// labels and samples are such fields, so the scans that walk every field of a series take this branch
    /// for nearly all of them; false, with nothing read, sends the caller to the general
    /// <see cref="TryReadTag"/>, which also reports malformed input.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadShortField(byte tag, out ReadOnlySpan<byte> payload)
    {
        ReadOnlySpan<byte> rest = _buffer[_position..];
        // A length byte of 0x80 or more begins a longer varint: the general path reads it.
        if (rest.Length < 2 || rest[0] != tag || rest[1] >= 0x80 || rest[1] > rest.Length - 2)
        {
            payload = default;
            return false;
        }
        payload = rest.Slice(2, rest[1]);
        _position += 2 + rest[1];
        return true;
    }

    /// <summary>Skips a field we don't model. Groups are deprecated and never sent by Prometheus.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Advance(8);
                break;
            case WireType.LengthDelimited:
                ReadLengthDelimited();
                break;
            case WireType.Fixed32:
                Advance(4);
                break;
            default:
                MalformedInputException.Throw($"protobuf: unsupported wire type {(int)wireType}");
                break;
        }
    }

    public static void Expect(WireType actual, WireType expected, string field)
    {
        if (actual != expected)
            MalformedInputException.Throw($"protobuf: field {field} has wire type {(int)actual}, expected {(int)expected}");
    }

    private void Advance(int count)
    {
        if (_buffer.Length - _position < count)
            MalformedInputException.Throw("protobuf: truncated fixed-width field");
        _position += count;
    }
}
