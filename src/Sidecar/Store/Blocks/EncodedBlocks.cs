using System.Runtime.CompilerServices;

namespace Sidecar.Store.Blocks;

/// <summary>
/// Consecutive encoded blocks of one series, oldest first, packed end to end in one byte array: one
/// object per series instead of one per block, whose header would cost more than a block's first value.
/// The last block may still grow. Blocks removed from the front leave dead bytes that are reclaimed the
/// next time room is needed, so dropping the oldest block doesn't move the others every time.
/// </summary>
/// <remarks>
/// A mutable struct, kept in a (non-readonly) field of the ring that owns it: a class would add an object
/// header and a reference to every series' fixed cost.
/// </remarks>
/// <param name="maxBlocks">The most blocks held at once, which bounds the table of block ends.</param>
internal struct EncodedBlocks(int maxBlocks)
{
    private byte[] _bytes = [];

    // _ends[_first + i] is where block i ends; block i starts where block i - 1 ends (block 0 at _start).
    private int[] _ends = new int[2];
    private int _first;
    private int _start;

    public int Count { get; private set; }

    /// <summary>Bytes held, dead ones and spare room included: what the blocks cost.</summary>
    public readonly int AllocatedBytes => _bytes.Length;

    private readonly int End => Count == 0 ? _start : _ends[_first + Count - 1];

    private readonly int StartOf(int index) => index == 0 ? _start : _ends[_first + index - 1];

    /// <summary>The bytes of block <paramref name="index"/>; valid until the blocks next change.</summary>
    public readonly ReadOnlySpan<byte> this[int index] => _bytes.AsSpan(StartOf(index), _ends[_first + index] - StartOf(index));

    /// <summary>
    /// The address of block <paramref name="index"/>'s byte <paramref name="byteInBlock"/>, as a number for a
    /// prefetch (<see cref="HistoryCursor.NextDecodeAt"/>), not a reference: the array may move or be replaced
    /// after, and the number then points at nothing of ours, which a prefetch ignores. 0 for a block not held.
    /// </summary>
    public readonly unsafe nint AddressOf(int index, int byteInBlock)
    {
        int at = (uint)index < (uint)Count ? StartOf(index) + byteInBlock : -1;
        return (uint)at < (uint)_bytes.Length ? (nint)Unsafe.AsPointer(ref _bytes[at]) : 0;
    }

    public void Clear()
    {
        _first = 0;
        _start = 0;
        Count = 0;
    }

    /// <summary>Adds an empty block after the last one.</summary>
    public void AddEmpty()
    {
        if (_first + Count == _ends.Length)
            MakeRoomForEnds();
        _ends[_first + Count] = End;
        Count++;
    }

    /// <summary>Adds an empty block before the first one.</summary>
    public void InsertEmptyFirst()
    {
        if (_first == 0)
        {
            if (Count == _ends.Length)
                Array.Resize(ref _ends, _ends.Length + 1);
            _ends.AsSpan(0, Count).CopyTo(_ends.AsSpan(1));
            _first = 1;
        }
        _first--;
        _ends[_first] = _start;
        Count++;
    }

    public void RemoveFirst()
    {
        _start = _ends[_first];
        _first++;
        Count--;
    }

    /// <summary>
    /// The last block's bytes followed by at least <paramref name="roomBytes"/> of writable room. Write
    /// into it, then call <see cref="SetLastLength"/>; valid until the blocks next change.
    /// </summary>
    public Span<byte> GrowLast(int roomBytes)
    {
        int start = StartOf(Count - 1);
        if (_bytes.Length - End < roomBytes)
        {
            EnsureRoom(roomBytes);
            start = StartOf(Count - 1);
        }
        return _bytes.AsSpan(start);
    }

    public void SetLastLength(int bytes) => _ends[_first + Count - 1] = StartOf(Count - 1) + bytes;

    /// <summary>Puts <paramref name="encoded"/> in place of block <paramref name="index"/>, moving the later blocks.</summary>
    public void Replace(int index, ReadOnlySpan<byte> encoded)
    {
        int start = StartOf(index), oldLength = _ends[_first + index] - start;
        int growth = encoded.Length - oldLength;
        if (growth > _bytes.Length - End)
        {
            EnsureRoom(growth);
            start = StartOf(index);
        }
        int tail = _ends[_first + index];
        _bytes.AsSpan(tail, End - tail).CopyTo(_bytes.AsSpan(tail + growth));
        encoded.CopyTo(_bytes.AsSpan(start));
        for (int i = index; i < Count; i++)
            _ends[_first + i] += growth;
    }

    /// <summary>Makes <paramref name="roomBytes"/> free after the last block: first by reclaiming dead bytes, else by growing.</summary>
    private void EnsureRoom(int roomBytes)
    {
        int live = End - _start;
        if (_bytes.Length - live >= roomBytes && _start > 0)
        {
            _bytes.AsSpan(_start, live).CopyTo(_bytes);
        }
        else
        {
            // An eighth of slack: a series' history grows a block at a time until its window is full, and
            // a bigger margin would stay allocated for the series' whole life.
            int needed = live + roomBytes;
            var bytes = new byte[needed + needed / 8 + 8];
            _bytes.AsSpan(_start, live).CopyTo(bytes);
            _bytes = bytes;
        }
        for (int i = 0; i < Count; i++)
            _ends[_first + i] -= _start;
        _start = 0;
    }

    private void MakeRoomForEnds()
    {
        if (_first > 0)
        {
            _ends.AsSpan(_first, Count).CopyTo(_ends);
            _first = 0;
        }
        else
        {
            Array.Resize(ref _ends, Math.Max(Math.Min(_ends.Length * 2, maxBlocks), _ends.Length + 1));
        }
    }
}
