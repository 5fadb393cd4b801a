using Sidecar.Protocol.RemoteRead;

namespace Sidecar.Store.Snapshots;

/// <summary>A write-through stream that keeps the CRC-32C and length of everything written.</summary>
internal sealed class Crc32CStream(Stream inner) : Stream
{
    private uint _state = uint.MaxValue;

    public uint Crc => ~_state;

    public long Written { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => Written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _state = Crc32C.Update(_state, buffer);
        Written += buffer.Length;
        inner.Write(buffer);
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
