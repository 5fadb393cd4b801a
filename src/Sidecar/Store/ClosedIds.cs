using System.Numerics;

namespace Sidecar.Store;

/// <summary>
/// Which of a target's series closed a step since the inference loop last looked: one bit per series id.
/// Receivers mark ids without a lock; the loop takes every marked id at once, in id order, clearing them.
/// </summary>
/// <remarks>
/// <para>
/// Until 2026-12-06 a queue of series did this job, with a mark on each series so it was queued once, and the
/// loop sorted what it dequeued by id (it reads series and their state in id order, which is roughly their
/// order in memory). Dequeuing and sorting cost about 15 ns a series of a 1,024-series step (bench inference,
/// a build timing the step's parts, issue 19); taking the bits costs a few, in id order already, and a series
/// marked twice is still taken once. Nor does a forgotten series stay reachable from here, as it did from
/// the queue until the loop came round.
/// </para>
/// <para>
/// The bits live in blocks that never move: growing adds blocks to a new, longer list of them, and a
/// receiver that marks through the old list still marks the block the new one holds, so no mark is lost to
/// a growth. Growing and taking are serialised by the caller (<see cref="TargetStore"/>'s lock); marking
/// needs nothing.
/// </para>
/// </remarks>
internal sealed class ClosedIds
{
    // 4,096 ids a block (512 bytes): small enough for a small target, few enough blocks for a large one.
    private const int BlockShift = 12, WordsPerBlock = (1 << BlockShift) / 64;

    private long[][] _blocks = [];

    /// <summary>Makes room for ids below <paramref name="count"/>; the caller serialises it with <see cref="Take"/>.</summary>
    public void EnsureIds(int count)
    {
        long[][] blocks = _blocks;
        int needed = (int)(((long)count + (1 << BlockShift) - 1) >> BlockShift);
        if (needed <= blocks.Length)
            return;
        var grown = new long[needed][];
        blocks.CopyTo(grown, 0);
        for (int b = blocks.Length; b < needed; b++)
            grown[b] = new long[WordsPerBlock];
        Volatile.Write(ref _blocks, grown);
    }

    /// <summary>Marks <paramref name="id"/>, which <see cref="EnsureIds"/> made room for; safe from any thread.</summary>
    public void Mark(int id) =>
        Interlocked.Or(ref Volatile.Read(ref _blocks)[id >> BlockShift][(id >> 6) & (WordsPerBlock - 1)], 1L << (id & 63));

    /// <summary>
    /// Clears every mark and adds each marked id to <paramref name="ids"/>, lowest first; the caller
    /// serialises it with <see cref="EnsureIds"/>. A mark made meanwhile is taken now or next time.
    /// </summary>
    public void Take(List<int> ids)
    {
        long[][] blocks = _blocks;
        for (int b = 0; b < blocks.Length; b++)
        {
            long[] words = blocks[b];
            for (int w = 0; w < words.Length; w++)
            {
                if (Volatile.Read(ref words[w]) == 0)
                    continue;
                ulong bits = (ulong)Interlocked.Exchange(ref words[w], 0);
                for (; bits != 0; bits &= bits - 1)
                    ids.Add((b << BlockShift) + (w << 6) + BitOperations.TrailingZeroCount(bits));
            }
        }
    }
}
