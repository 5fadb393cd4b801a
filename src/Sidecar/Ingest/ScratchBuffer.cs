using System.Buffers;

namespace Sidecar.Ingest;

/// <summary>Pooled scratch space for decoders: doubled on demand, always rented and returned to the shared pool.</summary>
internal static class ScratchBuffer
{
    public static void Grow(ref byte[] scratch)
    {
        int larger = scratch.Length * 2;
        ArrayPool<byte>.Shared.Return(scratch);
        scratch = ArrayPool<byte>.Shared.Rent(larger);
    }
}
