using System.Runtime.CompilerServices;
using Sidecar.Store.Blocks;

namespace Sidecar.Store;

/// <summary>
/// Where a caller's last read of one position in a series' history left the decoder, so that its next
/// read, one step later, decodes one value instead of the block from its start. History is XOR-encoded in
/// blocks of 128 steps, and the inference step reads the same few positions every step (the newest closed
/// step, a day ago, a week ago): without a cursor each read decodes half a block on average. The caller
/// keeps one cursor per position it follows; <see cref="StepRing"/> checks that the block is unchanged
/// before it carries on from one. The default value stands at the start of block 0, which is as good as
/// no position: carrying on from it is decoding from a block's start.
/// </summary>
/// <remarks>
/// A single-value read (<see cref="StepRing.At(long, ref HistoryCursor)"/>) also decodes the next few
/// values of its block and keeps them here (<see cref="Ahead"/>): the reads of the following steps then
/// come from the cursor, which lives with the caller's other per-series state, without loading the block's
/// bytes or the ring's index of blocks. In the inference step those loads were most of a read's cost.
/// </remarks>
internal struct HistoryCursor
{
    /// <summary>Values a single-value read decodes and keeps, its own included.</summary>
    /// <remarks>
    /// Sixteen rather than eight since 2026-12-06: the decoder's set-up is paid half as often, and the step's
    /// three reads of a series took about 105 ns instead of 126 (a stopwatch build, six runs each, issue 19);
    /// 32 took 112, the larger cursors costing more to touch than the set-ups saved. 32 bytes more per
    /// cursor, three cursors per series.
    /// </remarks>
    internal const int AheadCapacity = 16;

    /// <summary>The block the decoder stands in.</summary>
    internal long Block;

    /// <summary>Values of <see cref="Block"/> the decoder has passed: the next one it gives is at this offset.</summary>
    internal int Next;

    /// <summary>The value at offset <see cref="Next"/> − 1, so a second read of the same step decodes nothing.</summary>
    internal float Last;

    internal XorDecoderState Decoder;

    /// <summary>The ring's count of block rewrites when the cursor was left: a block's bytes rewritten since invalidate it.</summary>
    internal int Rewrites;

    /// <summary>
    /// The last <see cref="AheadCount"/> values the decoder gave, those of offsets <see cref="Next"/> −
    /// <see cref="AheadCount"/> to <see cref="Next"/> − 1 of <see cref="Block"/>.
    /// </summary>
    internal AheadValues Ahead;

    internal int AheadCount;

    /// <summary>The next read of the cursor's position (one step on) decodes: the last value kept was just read.</summary>
    internal bool DecodeDue;

    /// <summary>
    /// The address of the first byte the next decode reads, for a caller to prefetch a few series ahead of
    /// it (<see cref="DueDecodeAt"/>): only a hint, since the bytes may move before then (a collection, a
    /// block written), and then the prefetch is wasted, never wrong. 0 for none.
    /// </summary>
    /// <remarks>
    /// A decode reads bytes last read sixteen steps before, long gone from the cache: in a perf profile of the
    /// inference step nearly all of the decoder's set-up time was the load of that first byte (issue 19).
    /// </remarks>
    internal nint NextDecodeAt;

    /// <summary><see cref="NextDecodeAt"/> where the next read decodes; 0 otherwise.</summary>
    internal readonly nint DueDecodeAt => DecodeDue ? NextDecodeAt : 0;

    /// <summary>The kept value at <paramref name="offset"/> of the cursor's block, if it is one of <see cref="Ahead"/>.</summary>
    /// <remarks>Inlined: a call passed the value back through memory, on the reads' fast path (issue 19).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal readonly bool TryAhead(int offset, out float value)
    {
        int index = offset - (Next - AheadCount);
        if ((uint)index < (uint)AheadCount)
        {
            value = Ahead[index];
            return true;
        }
        value = float.NaN;
        return false;
    }
}

/// <summary>Storage of <see cref="HistoryCursor.Ahead"/>, inside the cursor.</summary>
[InlineArray(HistoryCursor.AheadCapacity)]
internal struct AheadValues
{
    private float _first;
}
