using System.Buffers;
using System.Buffers.Binary;

namespace Sidecar.Protocol.RemoteRead;

/// <summary>
/// Reads the frames of a streamed remote-read response: a uvarint message length, the big-endian
/// CRC-32C of the message, then the message. The length is checked against a limit before any memory
/// is taken, and every CRC is verified. One pooled buffer is reused for all frames.
/// </summary>
internal sealed class ChunkedFrameReader(Stream stream, int maxFrameBytes) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);

    /// <summary>
    /// Reads the next frame. The returned memory is valid only until the next call or disposal.
    /// Returns null at a clean end of stream.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadFrameAsync(CancellationToken cancellation)
    {
        ulong length = 0;
        for (int shift = 0; ; shift += 7)
        {
            if (shift >= 64)
                throw new MalformedInputException("remote-read: frame length varint longer than 10 bytes");
            int b = await ReadByteAsync(cancellation);
            if (b < 0)
            {
                if (shift == 0)
                    return null;
                throw new MalformedInputException("remote-read: stream ends inside a frame length");
            }
            length |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
                break;
        }
        if (length > (ulong)maxFrameBytes)
            throw new PayloadTooLargeException($"remote-read: frame of {length} bytes exceeds limit {maxFrameBytes} bytes");
        int size = (int)length;
        if (_buffer.Length < size + 4)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(size + 4);
        }
        await ReadExactlyAsync(_buffer.AsMemory(0, size + 4), cancellation);
        uint expected = BinaryPrimitives.ReadUInt32BigEndian(_buffer);
        var message = _buffer.AsMemory(4, size);
        uint actual = Crc32C.Compute(message.Span);
        if (actual != expected)
            throw new MalformedInputException($"remote-read: frame CRC32C mismatch (expected {expected:x8}, computed {actual:x8})");
        return message;
    }

    private async ValueTask<int> ReadByteAsync(CancellationToken cancellation)
    {
        int read = await stream.ReadAsync(_buffer.AsMemory(0, 1), cancellation);
        return read == 0 ? -1 : _buffer[0];
    }

    private async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellation)
    {
        try
        {
            await stream.ReadExactlyAsync(destination, cancellation);
        }
        catch (EndOfStreamException)
        {
            throw new MalformedInputException("remote-read: stream ends inside a frame");
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
            ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
