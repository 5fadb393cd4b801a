using System.Runtime.CompilerServices;

namespace Sidecar.Store;

/// <summary>
/// A lock of one int for holds of a few instructions (<see cref="Series"/>' sample stores and step reads):
/// taken by one atomic compare-exchange, given back by a plain store with release semantics. A waiter
/// spins, then yields, never sleeps. Not re-entrant. A mutable struct: keep it in a field that isn't readonly.
/// </summary>
/// <remarks>
/// <see cref="SpinLock"/>'s Exit is a second atomic operation (an interlocked decrement: it counts its
/// waiters in the same word), and an atomic operation waits for every store before it to drain. The
/// inference step takes a series' lock once per series at every step and a receiver once per sample, so
/// that was a second full barrier on both paths (issue 19).
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
