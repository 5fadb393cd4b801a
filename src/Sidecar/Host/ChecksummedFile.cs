using System.Buffers.Binary;
using Sidecar.Protocol.RemoteRead;

namespace Sidecar.Host;

/// <summary>
/// A small file that is replaced whole and must never be half-written or silently damaged: an 8-byte
/// magic, the payload, and a CRC-32C of the payload (uint32, little-endian). Written to a temporary file,
/// flushed to disk and renamed over the old one, so a crash leaves the old file or the new one.
/// Model files and saved streaming states use it; the store snapshot, which streams gigabytes, has its own.
/// </summary>
internal static class ChecksummedFile
{
    public static void Write(string path, ReadOnlySpan<byte> magic, ReadOnlySpan<byte> payload)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(magic);
            file.Write(payload);
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(payload));
            file.Write(crc);
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The payload of a file written by <see cref="Write"/>, after checking its magic and checksum.</summary>
    /// <param name="what">What the file is, for the error message ("model file").</param>
    /// <exception cref="InvalidDataException">Another kind of file, or a damaged or truncated one.</exception>
    public static byte[] ReadPayload(string path, ReadOnlySpan<byte> magic, string what)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < magic.Length + 4 || !bytes.AsSpan(0, magic.Length).SequenceEqual(magic))
            throw new InvalidDataException($"{path}: not a {what}");
        var payload = bytes.AsSpan(magic.Length, bytes.Length - magic.Length - 4);
        if (Crc32C.Compute(payload) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)))
            throw new InvalidDataException($"{path}: checksum mismatch, the file is damaged");
        return payload.ToArray();
    }
}
