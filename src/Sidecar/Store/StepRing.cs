using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using Sidecar.Store.Blocks;

namespace Sidecar.Store;

/// <summary>
/// A fixed-step history of one series: per step the last value seen (or the mean of the step's samples),
/// NaN for a step without data.
/// Steps are absolute (<c>timestamp / step</c>), so two series of a target line up. Not thread-safe:
/// <see cref="Series"/> guards it. A mutable struct, held in a (non-readonly) field of its series, so that
/// storing a sample loads one object, not two: keep it there, never copy it.
/// </summary>
/// <remarks>
/// Steps are grouped in aligned blocks (block = step / block size), each XOR-encoded
/// (<see cref="XorBlockEncoder"/>) and packed in one array (<see cref="EncodedBlocks"/>). The newest
/// block is appended to one step at a time as steps close; the newest step's value stays raw, because
/// later samples of its step still change it. Late samples into an encoded block go to a decoded copy
/// of it, encoded again once the writes leave that block or the batch ends
/// (<see cref="EncodeLateWrites"/>), so a backfill costs one encoding per block, not one per sample.
/// </remarks>
internal struct StepRing
{
    /// <summary>
    /// Steps per block. Bigger blocks spread each block's raw first value over more steps, smaller ones
    /// make a late write's re-encoding and a read's decoding from the block start cheaper.
    /// </summary>
    public const int DefaultBlockSteps = 128;

    private readonly bool _mean;
    private readonly int _blockShift;
    private EncodedBlocks _blocks;

    // The block held first in _blocks; the others follow it without a hole, up to the newest step's block.
    private long _oldestBlock;

    // Where encoding of the newest block stands: it holds every step of that block before NewestStep.
    private XorBlockEncoder _newestBlock;
    private float _newestValue;

    // Time of the sample held for the newest step, so that only a later one replaces it.
    private long _newestTimestampMs;

    // Running sum and count of the newest step's samples, for mean aggregation.
    private double _newestSum;
    private int _newestCount;

    // The decoded copy of the block late samples are writing into (rented, one block long), or null.
    private float[]? _lateValues;
    private long _lateBlock;
    private bool _lateChanged;

    // Changes whenever an encoded block may change or go (a late write re-encodes one, the window drops
    // one, the ring starts over): see Version.
    private int _version;

    // Changes whenever a held block's bytes may change (a late write re-encodes one or adds one before the
    // oldest, the ring starts over), so a HistoryCursor left in a block can tell it no longer holds. Not
    // when the window drops its oldest block, which leaves the others' bytes as they were: the cursors a
    // day and a week back, in other blocks, then carry on instead of decoding their block from its start
    // once every block's steps (issue 19).
    private int _rewrites;

    /// <param name="capacity">Steps of history kept, ending at the newest.</param>
    /// <param name="mean">Keep the mean of a step's samples instead of the last one.</param>
    /// <param name="blockSteps">Steps per encoded block, a power of two.</param>
    public StepRing(int capacity, bool mean = false, int blockSteps = DefaultBlockSteps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        if (blockSteps < 1 || !BitOperations.IsPow2(blockSteps))
            throw new ArgumentOutOfRangeException(nameof(blockSteps), blockSteps, "step ring: steps per block must be a power of two");
        Capacity = capacity;
        _mean = mean;
        _blockShift = BitOperations.Log2((uint)blockSteps);
        // The window touches at most this many blocks, one more while a new block starts before old ones go.
        _blocks = new EncodedBlocks((capacity - 1) / blockSteps + 3);
    }

    /// <summary>The newest step that holds data; <see cref="long.MinValue"/> before the first sample.</summary>
    public long NewestStep { get; private set; } = long.MinValue;

    /// <summary>The first step ever written; with <see cref="NewestStep"/> it tells how much history exists.</summary>
    public long FirstStep { get; private set; } = long.MinValue;

    public int Capacity { get; }

    public bool IsEmpty => NewestStep == long.MinValue;

    /// <summary>
    /// Changes whenever a value of an encoded step may have changed or gone (a late write, the window
    /// dropping a block, a restore): a reader that keeps what it read can tell whether it still holds.
    /// </summary>
    public int Version => _version;

    /// <summary>The time of the sample held for <see cref="NewestStep"/>.</summary>
    public long NewestTimestampMs => _newestTimestampMs;

    private int BlockSteps => 1 << _blockShift;

    // Shifts floor, so steps before the epoch fall in blocks like any other.
    private long BlockOf(long step) => step >> _blockShift;

    private int OffsetOf(long step) => (int)(step & (BlockSteps - 1));

    /// <summary>Records the sample (<paramref name="timestampMs"/>, <paramref name="value"/>), which falls in <paramref name="step"/>.</summary>
    /// <returns>True when the write moved to a newer step, which closes every earlier one.</returns>
    public bool Write(long step, long timestampMs, float value)
    {
        if (IsEmpty)
        {
            FirstStep = step;
            StartAt(step);
            _newestValue = value;
            StartNewest(timestampMs, value);
            return false;
        }
        if (step == NewestStep)
        {
            // A later sample of the step replaces the value (or joins the mean); an equal or older one
            // (a retry, a backfill) changes nothing.
            if (timestampMs > _newestTimestampMs)
            {
                _newestTimestampMs = timestampMs;
                _newestSum += value;
                _newestCount++;
                _newestValue = _mean ? (float)(_newestSum / _newestCount) : value;
            }
            return false;
        }
        if (step > NewestStep)
        {
            EncodeLateWrites();
            if (step - NewestStep >= Capacity)
                StartAt(step); // nothing held stays in the window
            else
                MoveNewestTo(step);
            _newestValue = value;
            StartNewest(timestampMs, value);
            return true;
        }
        // A late sample may fill a gap inside the retained history, but never overwrites a value:
        // a re-sent duplicate must not change what was already recorded.
        if (NewestStep - step < Capacity)
            WriteLate(step, value);
        return false;
    }

    private void StartNewest(long timestampMs, float value)
    {
        _newestTimestampMs = timestampMs;
        _newestSum = value;
        _newestCount = 1;
    }

    /// <summary>Whether late samples wrote into a decoded copy of a block that <see cref="EncodeLateWrites"/> has yet to encode.</summary>
    public bool HasLateWrites => _lateValues is not null;

    /// <summary>
    /// Encodes the block that late samples changed, if any. Call it when a batch of samples ends, so the
    /// decoded copy isn't held until the next step.
    /// </summary>
    public void EncodeLateWrites()
    {
        if (_lateValues is null)
            return;
        if (_lateChanged)
        {
            var encoder = new XorBlockEncoder();
            Span<byte> encoded = stackalloc byte[XorBlockEncoder.MaxBytesFor(BlockSteps)];
            encoder.Append(encoded, _lateValues.AsSpan(0, EncodedSteps(_lateBlock)));
            _blocks.Replace((int)(_lateBlock - _oldestBlock), encoded[..encoder.ByteLength]);
            _version++;
            _rewrites++;
            if (_lateBlock == BlockOf(NewestStep))
                _newestBlock = encoder;
        }
        DropLateValues();
    }

    private void WriteLate(long step, float value)
    {
        long block = BlockOf(step);
        if (_lateValues is null || _lateBlock != block)
        {
            EncodeLateWrites();
            // History shorter than the window (restored, or after a silence) may not reach back to the step's block yet.
            for (; block < _oldestBlock; _oldestBlock--)
            {
                _blocks.InsertEmptyFirst();
                _version++;
                _rewrites++;
            }
            float[] values = ArrayPool<float>.Shared.Rent(BlockSteps);
            DecodeBlock(block, 0, values.AsSpan(0, EncodedSteps(block)));
            _lateValues = values;
            _lateBlock = block;
            _lateChanged = false;
        }
        ref float slot = ref _lateValues[OffsetOf(step)];
        if (float.IsNaN(slot))
        {
            slot = value;
            _lateChanged = true;
            FirstStep = Math.Min(FirstStep, step);
        }
    }

    private void DropLateValues()
    {
        if (_lateValues is not null)
            ArrayPool<float>.Shared.Return(_lateValues);
        _lateValues = null;
    }

    /// <summary>
    /// Replaces the ring's content with restored history: <paramref name="values"/> are the steps that end
    /// at <paramref name="newest"/>, oldest first.
    /// </summary>
    public void Restore(long first, long newest, long newestTimestampMs, ReadOnlySpan<float> values)
    {
        DropLateValues();
        if (values.Length > Capacity)
            values = values[^Capacity..];
        long oldest = newest - Math.Max(values.Length, 1) + 1;
        StartAt(oldest);
        ReadOnlySpan<float> closed = values.IsEmpty ? [] : values[..^1];
        for (long step = oldest; !closed.IsEmpty;)
        {
            int take = Math.Min(closed.Length, BlockSteps - OffsetOf(step));
            AppendToNewestBlock(closed[..take]);
            closed = closed[take..];
            step += take;
            if (OffsetOf(step) == 0)
                StartBlock();
        }
        NewestStep = newest;
        _newestValue = values.IsEmpty ? float.NaN : values[^1];
        FirstStep = first;
        _newestTimestampMs = newestTimestampMs;
        _newestSum = values.IsEmpty ? 0 : values[^1];
        _newestCount = 1;
    }

    /// <summary>Forgets everything held and makes <paramref name="step"/> the newest, its block's earlier steps gaps.</summary>
    private void StartAt(long step)
    {
        DropLateValues();
        _blocks.Clear();
        _version++;
        _rewrites++;
        _oldestBlock = BlockOf(step);
        StartBlock();
        AppendGaps(OffsetOf(step));
        NewestStep = step;
    }

    /// <summary>Closes the newest step and the gap after it, up to the new newest <paramref name="step"/>.</summary>
    private void MoveNewestTo(long step)
    {
        long windowStart = step - Capacity + 1;
        AppendToNewestBlock(new ReadOnlySpan<float>(in _newestValue));
        for (long closed = NewestStep + 1; ; closed++)
        {
            if (OffsetOf(closed) == 0)
            {
                StartBlock();
                while (((_oldestBlock + 1) << _blockShift) <= windowStart)
                {
                    _blocks.RemoveFirst();
                    _version++;
                    _oldestBlock++;
                }
                if (step - closed >= BlockSteps)
                {
                    // A block that is all gap stays empty: a long silence costs no bytes.
                    closed += BlockSteps - 1;
                    continue;
                }
            }
            if (closed == step)
                break;
            AppendGaps(1);
        }
        NewestStep = step;
    }

    private void StartBlock()
    {
        _blocks.AddEmpty();
        _newestBlock = default;
    }

    private void AppendGaps(int steps)
    {
        float gap = float.NaN;
        for (int i = 0; i < steps; i++)
            AppendToNewestBlock(new ReadOnlySpan<float>(in gap));
    }

    private void AppendToNewestBlock(ReadOnlySpan<float> values)
    {
        Span<byte> block = _blocks.GrowLast(XorBlockEncoder.MaxBytesFor(values.Length));
        _newestBlock.Append(block, values);
        _blocks.SetLastLength(_newestBlock.ByteLength);
    }

    // The newest block holds its steps before the newest one; the newest step's value is kept raw.
    private int EncodedSteps(long block) => block == BlockOf(NewestStep) ? OffsetOf(NewestStep) : BlockSteps;

    /// <summary>The value at <paramref name="step"/>, or NaN when it is a gap or outside the history.</summary>
    public float At(long step)
    {
        var cursor = new HistoryCursor();
        return At(step, ref cursor);
    }

    /// <summary><see cref="At(long)"/>, carrying on from <paramref name="cursor"/> where it can and leaving it at the step.</summary>
    /// <remarks>
    /// The inference step reads three single values of every series at every step (the newest closed step,
    /// a day and a week back), so this path goes straight to the one block instead of through
    /// <see cref="Copy(long, Span{float}, ref HistoryCursor)"/>'s window arithmetic; and the step just
    /// before the newest, the one a gauge's step reads, is the newest block's last value, which its encoder
    /// still holds: no decoding at all. <see cref="Copy(long, Span{float}, ref HistoryCursor)"/> reads the
    /// same values (StepRingTests compares the two under random writes).
    /// </remarks>
    public float At(long step, ref HistoryCursor cursor)
    {
        if (IsEmpty || step > NewestStep || NewestStep - step >= Capacity)
            return float.NaN;
        if (step == NewestStep)
            return _newestValue;
        long block = BlockOf(step);
        if (block < _oldestBlock)
            return float.NaN;
        int offset = OffsetOf(step);
        if (_lateValues is not null && _lateBlock == block)
            return _lateValues[offset];
        if (block == BlockOf(NewestStep) && offset == OffsetOf(NewestStep) - 1)
            return _newestBlock.Last;
        if (cursor.Block == block && cursor.Rewrites == _rewrites && cursor.TryAhead(offset, out float kept))
        {
            cursor.DecodeDue = offset == cursor.Next - 1;
            return kept;
        }
        return DecodeAhead(block, offset, ref cursor);
    }

    /// <summary>
    /// <see cref="At(long, ref HistoryCursor)"/>'s decoding: the value at <paramref name="offset"/> of
    /// <paramref name="block"/> and the next few, kept in the cursor.
    /// </summary>
    /// <remarks>
    /// A method of its own, never inlined: its buffer on the stack made every read, the cursor's hits
    /// (fifteen in sixteen) too, set up and clear a frame for it and check a stack cookie. A perf profile
    /// of the inference step put a seventh of the reads' time on that (issue 19).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private float DecodeAhead(long block, int offset, ref HistoryCursor cursor)
    {
        ReadOnlySpan<byte> bytes = _blocks[(int)(block - _oldestBlock)];
        if (bytes.IsEmpty)
            return float.NaN; // a block that is all gap (MoveNewestTo)
        // The value and the next few of its block, kept in the cursor for the reads of the steps after it.
        Span<float> values = stackalloc float[HistoryCursor.AheadCapacity];
        values = values[..Math.Min(values.Length, EncodedSteps(block) - offset)];
        Decode(bytes, block, offset, values, ref cursor);
        values.CopyTo(cursor.Ahead);
        cursor.AheadCount = values.Length; // Decode left the cursor's Next just after them
        // Where the decode after these values starts: here, or at the next block's start.
        int index = (int)(block - _oldestBlock);
        cursor.NextDecodeAt = cursor.Next >= BlockSteps ? _blocks.AddressOf(index + 1, 0) : _blocks.AddressOf(index, cursor.Decoder.BitPosition >> 3);
        cursor.DecodeDue = values.Length == 1;
        return values[0];
    }

    /// <summary>
    /// Copies the steps that end at <paramref name="lastStep"/> into <paramref name="destination"/>, oldest
    /// first, NaN for gaps and for steps outside the history. Decodes in place: allocates nothing.
    /// </summary>
    public void Copy(long lastStep, Span<float> destination)
    {
        var cursor = new HistoryCursor();
        Copy(lastStep, destination, ref cursor);
    }

    /// <summary>
    /// <see cref="Copy(long, Span{float})"/>, carrying on from <paramref name="cursor"/> where it stands in the
    /// block read and is still valid, and leaving it after the last value decoded: a caller that reads the
    /// same position one step later decodes one value, not the block up to it.
    /// </summary>
    public void Copy(long lastStep, Span<float> destination, ref HistoryCursor cursor)
    {
        long first = lastStep - destination.Length + 1;
        // The window may reach back before the oldest block held (a short history): those steps are gaps.
        long from = IsEmpty ? long.MaxValue : Math.Max(first, Math.Max(NewestStep - Capacity + 1, _oldestBlock << _blockShift));
        long to = IsEmpty ? long.MinValue : Math.Min(lastStep, NewestStep);
        if (from > to)
        {
            destination.Fill(float.NaN);
            return;
        }
        destination[..(int)(from - first)].Fill(float.NaN);
        destination[(int)(to - first + 1)..].Fill(float.NaN);
        for (long block = BlockOf(from); block <= BlockOf(to); block++)
        {
            long start = Math.Max(from, block << _blockShift), end = Math.Min(to, ((block + 1) << _blockShift) - 1);
            DecodeBlock(block, OffsetOf(start), destination.Slice((int)(start - first), (int)(end - start + 1)), ref cursor);
        }
    }

    /// <summary>Copies the steps of <paramref name="block"/> from <paramref name="offset"/> on into <paramref name="destination"/>.</summary>
    private void DecodeBlock(long block, int offset, Span<float> destination)
    {
        var cursor = new HistoryCursor();
        DecodeBlock(block, offset, destination, ref cursor);
    }

    private void DecodeBlock(long block, int offset, Span<float> destination, ref HistoryCursor cursor)
    {
        int encoded = Math.Min(destination.Length, EncodedSteps(block) - offset);
        if (_lateValues is not null && _lateBlock == block)
        {
            _lateValues.AsSpan(offset, encoded).CopyTo(destination);
        }
        else if (encoded > 0 && _blocks[(int)(block - _oldestBlock)] is { IsEmpty: false } bytes)
        {
            Decode(bytes, block, offset, destination[..encoded], ref cursor);
        }
        else
        {
            // An empty block is all gap: see MoveNewestTo.
            destination[..encoded].Fill(float.NaN);
        }
        // Past the encoded steps there is only the newest one.
        if (encoded < destination.Length)
            destination[encoded] = _newestValue;
    }

    /// <summary>Decodes the values of an encoded block from <paramref name="offset"/>, from the cursor when it stands at or before it.</summary>
    private void Decode(ReadOnlySpan<byte> bytes, long block, int offset, Span<float> destination, ref HistoryCursor cursor)
    {
        bool resume = cursor.Block == block && cursor.Rewrites == _rewrites && cursor.Next - 1 <= offset;
        var decoder = resume ? new XorBlockDecoder(bytes, cursor.Decoder) : new XorBlockDecoder(bytes);
        int done = 0;
        if (resume && offset == cursor.Next - 1)
            destination[done++] = cursor.Last; // the same step again: nothing to decode
        else
            decoder.Skip(offset - (resume ? cursor.Next : 0));
        decoder.Next(destination[done..]);
        cursor.Block = block;
        cursor.Next = offset + destination.Length;
        cursor.Last = destination[^1];
        cursor.Decoder = decoder.State;
        cursor.Rewrites = _rewrites;
        cursor.AheadCount = 0;
    }
}
