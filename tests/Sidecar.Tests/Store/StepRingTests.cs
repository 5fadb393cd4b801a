using Sidecar.Store;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Store;

public sealed class StepRingTests
{
    [Fact]
    public void KeepsTheLatestSampleOfEachStepAndClosesStepsWhenTimeMovesOn()
    {
        var ring = new StepRing(10);
        Assert.False(ring.Write(100, 100_000, 1));
        Assert.False(ring.Write(100, 100_500, 2));
        Assert.False(ring.Write(100, 100_200, 7));
        Assert.True(ring.Write(101, 101 * 1000L, 3));
        Assert.Equal(2, ring.At(100));
        Assert.Equal(3, ring.At(101));
        Assert.Equal(100, ring.FirstStep);
        Assert.Equal(101, ring.NewestStep);
    }

    [Fact]
    public void MeanAggregationAveragesTheSamplesOfEachStep()
    {
        var ring = new StepRing(10, mean: true);
        ring.Write(100, 100_000, 1);
        ring.Write(100, 100_250, 2);
        ring.Write(100, 100_250, 50); // a retry of the same sample: ignored
        ring.Write(100, 100_500, 6);
        Assert.Equal(3, ring.At(100));
        Assert.True(ring.Write(101, 101_000, 8));
        Assert.Equal(8, ring.At(101));
        Assert.Equal(3, ring.At(100));
    }

    [Fact]
    public void MarksMissingStepsAsGaps()
    {
        var ring = new StepRing(10);
        ring.Write(100, 100 * 1000L, 1);
        ring.Write(104, 104 * 1000L, 5);
        var copy = new float[5];
        ring.Copy(104, copy);
        Assert.Equal(1, copy[0]);
        Assert.True(float.IsNaN(copy[1]) && float.IsNaN(copy[2]) && float.IsNaN(copy[3]));
        Assert.Equal(5, copy[4]);
    }

    [Fact]
    public void ALateSampleFillsAGapButNeverOverwritesAValue()
    {
        var ring = new StepRing(10);
        ring.Write(100, 100 * 1000L, 1);
        ring.Write(102, 102 * 1000L, 3);
        Assert.False(ring.Write(101, 101 * 1000L, 2));
        Assert.False(ring.Write(100, 100 * 1000L, 99));
        Assert.Equal(1, ring.At(100));
        Assert.Equal(2, ring.At(101));
    }

    [Fact]
    public void ForgetsWhatFallsOutOfTheWindowAndSurvivesLongSilences()
    {
        var ring = new StepRing(4);
        for (int s = 0; s < 10; s++)
            ring.Write(s, s * 1000L, s);
        Assert.True(float.IsNaN(ring.At(5)));
        Assert.Equal(6, ring.At(6));
        Assert.Equal(9, ring.At(9));
        ring.Write(1_000_000, 1_000_000 * 1000L, 7);
        var copy = new float[4];
        ring.Copy(1_000_000, copy);
        Assert.Equal([float.NaN, float.NaN, float.NaN, 7f], copy);
        Assert.True(float.IsNaN(ring.At(1_000_001)));
    }

    [Fact]
    public void HandlesStepsBeforeTheEpoch()
    {
        var ring = new StepRing(3);
        ring.Write(-5, -5 * 1000L, 1);
        ring.Write(-4, -4 * 1000L, 2);
        Assert.Equal(1, ring.At(-5));
        Assert.Equal(2, ring.At(-4));
    }

    [Theory]
    [InlineData(1, 1, false)]
    [InlineData(3, 2, false)]
    [InlineData(10, 4, true)]
    [InlineData(130, 4, false)]
    [InlineData(300, 128, false)]
    [InlineData(1000, 128, true)]
    [InlineData(700, 256, false)]
    public void BehavesLikeAPlainArrayOfStepsUnderRandomWrites(int capacity, int blockSteps, bool mean)
    {
        var random = new Random(capacity * 31 + blockSteps);
        var ring = new StepRing(capacity, mean, blockSteps);
        var plain = new PlainStepRing(capacity, mean);
        // Readers that follow fixed positions behind the newest step from one operation to the next, as the
        // inference step does (the newest closed step, a day and a week back): through their cursors they
        // must read what a fresh read does, whatever the writes did to the blocks in between.
        int[] behind = [1, 1 + capacity / 3, Math.Max(1, capacity - 2)];
        var cursors = new HistoryCursor[behind.Length];
        // Cursors read through single values only, as the inference step's are: they keep values decoded
        // ahead, which must never outlive a change to their block.
        var singleCursors = new HistoryCursor[behind.Length];
        long step = random.Next(-500, 500), timestamp = step * 1000;
        for (int op = 0; op < 20_000; op++)
        {
            float value = random.Next(20) == 0 ? float.NaN : MathF.Round(random.NextSingle() * 100, random.Next(0, 3));
            switch (random.Next(100))
            {
                case < 40:
                    step += random.Next(8) == 0 ? random.Next(2, capacity + 2 * blockSteps) : 1;
                    timestamp = step * 1000;
                    Write(step, timestamp, value);
                    break;
                case < 55:
                    timestamp += random.Next(-100, 300); // later samples of the newest step, and retries
                    Write(step, timestamp, value);
                    break;
                case < 90:
                    long late = step - random.Next(1, capacity + blockSteps + 3);
                    Write(late, late * 1000, value);
                    break;
                case < 97:
                    ring.EncodeLateWrites();
                    break;
                case < 98:
                    step += random.Next(10) == 0 ? 100L * capacity : capacity;
                    timestamp = step * 1000;
                    Write(step, timestamp, value);
                    break;
                default:
                    // A restored history of any length, longer than the ring included.
                    var values = Enumerable.Range(0, random.Next(0, 2 * capacity + 1))
                        .Select(_ => random.Next(4) == 0 ? float.NaN : random.NextSingle()).ToArray();
                    long first = step - values.Length - random.Next(0, 5);
                    ring.Restore(first, step, timestamp, values);
                    plain.Restore(first, step, timestamp, values);
                    break;
            }
            AssertSameHistory(plain, ref ring, random);
            AssertCursorsRead(plain, ref ring, behind, cursors, random);
            AssertSingleReads(plain, ref ring, behind, singleCursors);
        }

        void Write(long s, long t, float v)
        {
            ring.Write(s, t, v);
            plain.Write(s, t, v);
        }
    }

    [Fact]
    public void AWeekOfBackfillBehindLiveDataEndsAsIfWrittenInOrder()
    {
        const int Week = 7 * 24 * 60, LiveSteps = 90, Page = 120;
        long newest = 28_000_000 + 37; // not aligned to a block
        long oldest = newest - Week + 1;
        float Backfilled(long s) => 4096f * (1_900_000 + (s - oldest) / 13) + (s % 97 == 0 ? float.NaN : 0);
        float Live(long s) => 4096f * (2_000_000 + (s - oldest) / 11);

        var inOrder = new StepRing(Week);
        for (long s = oldest; s <= newest; s++)
            inOrder.Write(s, s * 60_000, s > newest - LiveSteps ? Live(s) : Backfilled(s));

        // Live data arrives first; then remote-read pages bring the week, oldest first, overlapping it.
        var backfilled = new StepRing(Week);
        for (long s = newest - LiveSteps + 1; s <= newest; s++)
            backfilled.Write(s, s * 60_000, Live(s));
        for (long pageStart = oldest; pageStart <= newest; pageStart += Page)
        {
            for (long s = pageStart; s < pageStart + Page && s <= newest; s++)
                backfilled.Write(s, s * 60_000, Backfilled(s));
            backfilled.EncodeLateWrites();
        }

        Assert.Equal(inOrder.FirstStep, backfilled.FirstStep);
        Assert.Equal(inOrder.NewestStep, backfilled.NewestStep);
        Assert.Equal(Bits(ref inOrder, newest, Week + 10), Bits(ref backfilled, newest, Week + 10));
        // Still the same after both close the newest step and go on.
        inOrder.Write(newest + 1, (newest + 1) * 60_000, 1);
        backfilled.Write(newest + 1, (newest + 1) * 60_000, 1);
        Assert.Equal(Bits(ref inOrder, newest + 1, Week), Bits(ref backfilled, newest + 1, Week));
    }

    [Fact]
    public void CopyingTheHistoryAllocatesNothing()
    {
        var ring = new StepRing(7 * 24 * 60);
        for (long s = 0; s < 9 * 24 * 60; s++)
            ring.Write(s, s * 60_000, 4096f * (1_000_000 + s / 7));
        var week = new float[ring.Capacity];
        var window = new float[24];
        ring.Copy(ring.NewestStep, week);
        ring.Copy(ring.NewestStep - 1, window);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ring.Copy(ring.NewestStep, week);
        ring.Copy(ring.NewestStep - 1, window);
        float at = ring.At(ring.NewestStep - 5000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(4096f * (1_000_000 + (ring.NewestStep - 5000) / 7), at);
        Assert.Equal(4096f * (1_000_000 + (ring.NewestStep - 1) / 7), window[^1]);
    }

    [Fact]
    public void ValuesRoundTripBitForBitAcrossBlockBoundaries()
    {
        uint[] patterns = [0x7FC0_0001, 0xFFC0_0000, 0x7F80_0000, 0xFF80_0000, 0x8000_0000, 0, 1, 0x807F_FFFF, 0x3F80_0000, 0x7F7F_FFFF];
        var random = new Random(5);
        var ring = new StepRing(1000, blockSteps: 128);
        var expected = new uint[1000];
        for (int i = 0; i < expected.Length; i++)
        {
            // Steps 0 to 999 cross seven block boundaries; the raw patterns include NaN payloads and -0.
            expected[i] = random.Next(3) == 0 ? (uint)random.NextInt64(1L << 32) : patterns[random.Next(patterns.Length)];
            ring.Write(i, i * 1000L, BitConverter.UInt32BitsToSingle(expected[i]));
        }
        Assert.Equal(expected, Bits(ref ring, 999, 1000));
    }

    [Fact]
    public void ALateSampleBeforeARestoredHistoryStillFillsTheWindow()
    {
        var ring = new StepRing(1000, blockSteps: 4);
        ring.Restore(first: 990, newest: 999, newestTimestampMs: 999_000, [.. Enumerable.Range(990, 10).Select(i => (float)i)]);
        Assert.False(ring.Write(5, 5000, 5));
        ring.EncodeLateWrites();
        Assert.Equal(5, ring.At(5));
        Assert.Equal(5, ring.FirstStep);
        Assert.True(float.IsNaN(ring.At(6)));
        Assert.Equal(990, ring.At(990));
    }

    private static void AssertSameHistory(PlainStepRing plain, ref StepRing ring, Random random)
    {
        Assert.Equal(plain.NewestStep, ring.NewestStep);
        Assert.Equal(plain.FirstStep, ring.FirstStep);
        if (plain.NewestStep == long.MinValue)
            return;
        Assert.Equal(plain.NewestTimestampMs, ring.NewestTimestampMs);
        int length = random.Next(1, ring.Capacity + 20);
        long last = plain.NewestStep + random.Next(-ring.Capacity, 5);
        var copy = new float[length];
        ring.Copy(last, copy);
        for (int i = 0; i < length; i++)
            Assert.Equal(BitConverter.SingleToUInt32Bits(plain.At(last - length + 1 + i)), BitConverter.SingleToUInt32Bits(copy[i]));
        // Single values go their own way (StepRing.At): the newest step, the one before it (the newest
        // block's last value, read from its encoder), and any other, inside the window or outside it.
        foreach (long step in new[] { plain.NewestStep, plain.NewestStep - 1, plain.NewestStep + 1, last, plain.NewestStep - random.Next(ring.Capacity + 5) })
            Assert.Equal(BitConverter.SingleToUInt32Bits(plain.At(step)), BitConverter.SingleToUInt32Bits(ring.At(step)));
    }

    private static void AssertCursorsRead(PlainStepRing plain, ref StepRing ring, int[] behind, HistoryCursor[] cursors, Random random)
    {
        if (plain.NewestStep == long.MinValue)
            return;
        for (int k = 0; k < behind.Length; k++)
        {
            long position = plain.NewestStep - behind[k];
            // Now and then the same step twice, or a short window ending there, as the pipeline reads them.
            int length = random.Next(4) == 0 ? random.Next(2, 5) : 1;
            var values = new float[length];
            ring.Copy(position, values, ref cursors[k]);
            for (int i = 0; i < length; i++)
                Assert.Equal(BitConverter.SingleToUInt32Bits(plain.At(position - length + 1 + i)), BitConverter.SingleToUInt32Bits(values[i]));
            if (random.Next(3) == 0)
                Assert.Equal(BitConverter.SingleToUInt32Bits(plain.At(position)), BitConverter.SingleToUInt32Bits(ring.At(position, ref cursors[k])));
        }
    }

    private static void AssertSingleReads(PlainStepRing plain, ref StepRing ring, int[] behind, HistoryCursor[] cursors)
    {
        if (plain.NewestStep == long.MinValue)
            return;
        for (int k = 0; k < behind.Length; k++)
        {
            long position = plain.NewestStep - behind[k];
            Assert.Equal(BitConverter.SingleToUInt32Bits(plain.At(position)), BitConverter.SingleToUInt32Bits(ring.At(position, ref cursors[k])));
        }
    }

    [Fact]
    public void AFollowingReadCarriesOnFromTheCursorInsteadOfTheBlockStart()
    {
        // The random test above shows cursor reads are right; this shows they are used. A cursor whose
        // remembered value or decoder state is altered changes what the next read returns, which it could
        // not if the read decoded its block from the start.
        var ring = new StepRing(10_080);
        for (long step = 0; step < 12_000; step++)
            ring.Write(step, step * 60_000, MathF.Round(50 + 10 * MathF.Sin(step / 30f), 2));
        long position = 12_000 - 1_440 - 60; // mid-block, a day back
        var cursor = new HistoryCursor();
        Assert.Equal(ring.At(position), ring.At(position, ref cursor));

        // The same step and the next few: the values decoded ahead with it, nothing decoded again.
        int ahead = HistoryCursor.AheadCapacity;
        for (int i = 0; i < ahead; i++)
        {
            var kept = cursor;
            kept.Ahead[i] = -1f;
            Assert.Equal(-1f, ring.At(position + i, ref kept));
        }

        // Past those: decoded on from the remembered state, so a different previous value shows through.
        var next = cursor;
        next.Decoder = next.Decoder with { Previous = next.Decoder.Previous ^ 0x0040_0000u };
        Assert.NotEqual(ring.At(position + ahead), ring.At(position + ahead, ref next));
        Assert.Equal(ring.At(position + ahead), ring.At(position + ahead, ref cursor));

        // A window read (Copy) of the step the decoder stopped at: the remembered value, nothing decoded.
        var same = cursor;
        same.Last = -1f;
        long stoppedAt = cursor.Block * StepRing.DefaultBlockSteps + cursor.Next - 1;
        var window = new float[1];
        ring.Copy(stoppedAt, window, ref same);
        Assert.Equal(-1f, window[0]);
    }

    [Fact]
    public void ACursorCarriesOnWhenTheWindowDropsItsOldestBlock()
    {
        // Once every block's steps the window drops its oldest block; the others keep their bytes, so a
        // cursor a day back goes on with what it kept instead of decoding its block from the start.
        var ring = new StepRing(10_080);
        long step = 0;
        for (; step < 12_000; step++)
            ring.Write(step, step * 60_000, MathF.Round(50 + 10 * MathF.Sin(step / 30f), 2));
        while (true)
        {
            long position = step - 1 - 1_440;
            var cursor = new HistoryCursor();
            Assert.Equal(ring.At(position), ring.At(position, ref cursor));
            int version = ring.Version;
            ring.Write(step, step * 60_000, 7f);
            step++;
            if (ring.Version == version)
                continue;
            // This write dropped the oldest block (nothing else changes the version here).
            Assert.Equal(ring.At(position + 1), ring.At(position + 1, ref cursor));
            var kept = cursor;
            kept.Ahead[2] = -1f;
            Assert.Equal(-1f, ring.At(position + 2, ref kept));
            return;
        }
    }

    [Fact]
    public void ACursorSaysWhenItsNextReadDecodes()
    {
        // The inference step prefetches where a cursor's next read will decode (DecodeLookahead): the cursor
        // must say so exactly when the read one step on decodes, here a day back across block boundaries.
        var ring = new StepRing(10_080);
        for (long step = 0; step < 12_000; step++)
            ring.Write(step, step * 60_000, MathF.Round(50 + 10 * MathF.Sin(step / 30f), 2));
        var cursor = new HistoryCursor();
        long first = 12_000 - 1_440 - 300;
        ring.At(first, ref cursor);
        int decodes = 0;
        for (long position = first + 1; position < first + 300; position++)
        {
            bool due = cursor.DecodeDue;
            nint at = cursor.DueDecodeAt;
            (long Block, int Next) before = (cursor.Block, cursor.Next);

            Assert.Equal(ring.At(position), ring.At(position, ref cursor));

            bool decoded = (cursor.Block, cursor.Next) != before;
            Assert.Equal(decoded, due);
            Assert.Equal(due, at != 0);
            decodes += decoded ? 1 : 0;
        }
        Assert.InRange(decodes, 299 / HistoryCursor.AheadCapacity, 299 / HistoryCursor.AheadCapacity + 3);
    }

    private static uint[] Bits(ref StepRing ring, long lastStep, int length)
    {
        var values = new float[length];
        ring.Copy(lastStep, values);
        return [.. values.Select(BitConverter.SingleToUInt32Bits)];
    }
}
