using System.Buffers;
using Snappier;

namespace Sidecar.Protocol;

/// <summary>Snappy block-format decoding with the size limit checked before any memory is rented.</summary>
internal static class SnappyBlock
{
    /// <summary>
    /// Decompresses <paramref name="compressed"/> into a buffer rented from the shared pool. The caller
    /// owns the returned array and must return it to <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public static byte[] DecompressRented(ReadOnlySpan<byte> compressed, int maxDecodedBytes, out int length)
    {
        int declared;
        try
        {
            declared = Snappy.GetUncompressedLength(compressed);
        }
        catch (InvalidDataException)
        {
            throw new MalformedInputException("snappy: invalid block header");
        }
        if (declared < 0)
            throw new MalformedInputException("snappy: invalid declared length");
        if (declared > maxDecodedBytes)
            throw new PayloadTooLargeException($"snappy: decoded size {declared} bytes exceeds limit {maxDecodedBytes} bytes");
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(declared, 1));
        try
        {
            // Only the declared length: the rented buffer may be larger, and a corrupt block that decodes to
            // more than it declared must fail, not spill into the spare room (the differential test found one).
            length = Snappy.Decompress(compressed, buffer.AsSpan(0, declared));
            if (length != declared)
                throw new InvalidDataException($"decoded {length} bytes where the header declared {declared}");
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new MalformedInputException("snappy: corrupt block: " + e.Message);
        }
    }
}
