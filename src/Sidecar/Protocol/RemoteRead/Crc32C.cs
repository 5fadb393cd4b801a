using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace Sidecar.Protocol.RemoteRead;

/// <summary>
/// CRC-32C (Castagnoli), as remote-read puts on every streamed frame. Uses the SSE4.2 instruction where
/// the processor has it, else a table.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78; // reversed Castagnoli
    private static readonly uint[] Table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(uint.MaxValue, data);

    /// <summary>Feeds more data into a running CRC; start from <see cref="uint.MaxValue"/> and complement the end result.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            crc = (uint)wide;
            foreach (byte b in data)
                crc = Sse42.Crc32(crc, b);
            return crc;
        }
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The table path alone, so tests can check it against the hardware path.</summary>
    internal static uint ComputeWithTable(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data)
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint crc = i;
            for (int bit = 0; bit < 8; bit++)
                crc = (crc & 1) != 0 ? (crc >> 1) ^ Polynomial : crc >> 1;
            table[i] = crc;
        }
        return table;
    }
}
