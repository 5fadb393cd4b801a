using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Sidecar.Store;

/// <summary>
/// Asks the CPU to start loading memory that is about to be read, without waiting for it. A load that
/// misses holds its place in the reorder buffer until the data arrives, so a loop of loads over
/// scattered objects has only a handful of misses in flight; prefetches retire at once, so a loop of
/// them can have as many in flight as the memory system takes. Only a hint: a prefetch never faults,
/// and an object the collector moves in the meantime costs one wasted prefetch, not a wrong read. A no-op
/// where SSE's prefetch is missing (Arm).
/// </summary>
internal static class CacheHint
{
    /// <summary>Starts loading the first <paramref name="lines"/> cache lines of <paramref name="target"/>, where its fields are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(T? target, int lines = 2) where T : class
    {
        if (!Sse.IsSupported || target is null)
            return;
        byte* address = (byte*)Unsafe.As<T, nint>(ref target);
        for (int line = 0; line < lines; line++)
            Sse.Prefetch0(address + 64 * line);
    }

    /// <summary>
    /// Starts loading the cache line at <paramref name="address"/> and the one after it; nothing for 0. An
    /// address kept from an array that has moved since costs a wasted load: a prefetch never faults.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchTwoLines(nint address)
    {
        if (!Sse.IsSupported || address == 0)
            return;
        Sse.Prefetch0((byte*)address);
        Sse.Prefetch0((byte*)address + 64);
    }

    /// <summary>Starts loading the cache line that holds <paramref name="location"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Prefetch<T>(ref T location) where T : struct
    {
        if (Sse.IsSupported)
            Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }
}
