using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

/// <summary>
/// A series is written by ingest threads and read by the pipeline at once; its lock is all that keeps the
/// encoded history whole. Two writers on two threads interleave their samples step by step (so each often
/// writes into a step the other already closed: late writes into encoded blocks) while a reader copies the
/// history. Without the lock it failed in each of three runs on a 2-core machine.
/// </summary>
public sealed class SeriesLockTests
{
    private static float ValueAt(long step) => (float)Math.Round(Math.Sin(step * 0.01) * 100, 2);

    [Fact(Timeout = 60_000)]
    public async Task WritersAndAReaderAtOnceLeaveEveryStepAsWritten()
    {
        var settings = TestSettings.SmallTarget().Targets[0]; // 1 s steps, 10 minutes of history
        var target = new TargetStore(settings);
        var series = target.Add(new LabelSet([new("__name__", "m")]), isCounter: false);
        long stepMs = settings.StepMs, capacity = settings.HistorySteps;
        const int Steps = 10_000;
        using var done = new CancellationTokenSource();

        // Each writer keeps within a few steps of the other, so both are inside the series at once all along
        // rather than one finishing before the other starts.
        var written = new long[2];
        Task Writer(int parity) => Task.Run(() =>
        {
            try
            {
                for (long step = parity; step < Steps; step += 2)
                {
                    while (step - Volatile.Read(ref written[1 - parity]) > 16)
                        Thread.Yield();
                    series.Append(step * stepMs, ValueAt(step), receivedAtMs: step * stepMs);
                    Volatile.Write(ref written[parity], step);
                }
            }
            finally
            {
                // Done or failed, the other writer no longer waits for this one.
                Volatile.Write(ref written[parity], long.MaxValue / 2);
            }
        });
        var seen = new List<string>();
        var reader = Task.Run(() =>
        {
            var copy = new float[64];
            while (!done.IsCancellationRequested)
            {
                long last = series.LastClosedStep;
                if (last < copy.Length)
                    continue;
                series.CopyHistory(last, copy);
                // A pause between copies, as the pipeline reads a series once a step: a reader that held the
                // lock all the time would only measure how the writers queue behind it.
                Thread.SpinWait(500);
                // A step is either not written yet (the other writer is behind) or holds its value.
                for (int i = 0; i < copy.Length; i++)
                {
                    long step = last - copy.Length + 1 + i;
                    if (!float.IsNaN(copy[i]) && copy[i] != ValueAt(step) && seen.Count < 5)
                        seen.Add($"step {step}: {copy[i]}, written {ValueAt(step)}");
                }
            }
        });

        try
        {
            await Task.WhenAll(Writer(0), Writer(1));
        }
        finally
        {
            done.Cancel();
            await reader;
        }

        Assert.Empty(seen);
        var history = new float[capacity];
        series.CopyHistory(Steps - 1, history);
        for (int i = 0; i < capacity; i++)
            Assert.Equal(ValueAt(Steps - capacity + i), history[i]);
    }
}
