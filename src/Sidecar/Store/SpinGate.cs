using System.Runtime.CompilerServices;

namespace Sidecar.Store;

/// <summary>
/// A lock of one int for holds of a few instructions (the queue of closed series, <see cref="TargetStore"/>):
/// taken by one atomic compare-exchange, given back by a store with release semantics. A waiter spins,
/// then yields, never sleeps. Not re-entrant. A mutable struct: keep it in a field that isn't readonly.
/// </summary>
/// <remarks>
/// One atomic operation a hold, as the concurrent queue it replaced took one per series queued: a
/// <see cref="Lock"/> or <see cref="SpinLock"/> gives the lock back by a second one (SpinLock counts its
/// waiters in the same word), and a receiver queues a series at every step it closes. The series' own
/// lock stays a SpinLock: giving it back by a plain store was tried twice (issue 19), and neither the
/// inference step nor the receiver measured any different.
/// </remarks>
internal struct SpinGate
{
    private int _taken;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter()
    {
        if (Interlocked.CompareExchange(ref _taken, 1, 0) != 0)
            EnterContended();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit() => Volatile.Write(ref _taken, 0);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void EnterContended()
    {
        var spinner = new SpinWait();
        do
        {
            // Read before trying again: a waiter that only reads leaves the line shared with the holder.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
        while (Volatile.Read(ref _taken) != 0 || Interlocked.CompareExchange(ref _taken, 1, 0) != 0);
    }
}
