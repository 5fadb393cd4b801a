using System.Runtime.CompilerServices;

namespace Sidecar.Score;

/// <summary>
/// The mean of the last N values pushed, gaps (NaN) left out, in constant time per value: a ring with a
/// running sum. The sum is recomputed from the ring each time it wraps, so rounding can't pile up.
/// A mutable struct, to spare an object per series: keep it in a field that isn't readonly.
/// </summary>
internal struct WindowMean
{
    private float[] _ring;
    private int _position;
    private double _sum;
    private int _count;

    public WindowMean(int length)
    {
        _ring = new float[length];
        _ring.AsSpan().Fill(float.NaN);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)] // into NoveltyScorer.Observe: see there
    public void Push(float value)
    {
        float leaving = _ring[_position];
        if (!float.IsNaN(leaving))
        {
            _sum -= leaving;
            _count--;
        }
        _ring[_position] = value;
        if (!float.IsNaN(value))
        {
            _sum += value;
            _count++;
        }
        if (++_position == _ring.Length)
        {
            _position = 0;
            Recount();
        }
    }

    /// <summary>Where the next value goes in <see cref="Ring"/>.</summary>
    public readonly int Position => _position;

    /// <summary>The running sum of the ring's values, NaN left out.</summary>
    public readonly double Sum => _sum;

    /// <summary>The ring's values that aren't NaN.</summary>
    public readonly int Count => _count;

    /// <summary>The ring itself, for <see cref="NoveltyTable"/> to copy a row's in and out (see <see cref="Set"/>).</summary>
    public readonly Span<float> Ring => _ring;

    /// <summary>
    /// Takes the rest of a window's state as a row of <see cref="NoveltyTable"/> holds it, its values already
    /// copied into <see cref="Ring"/>. The running sum is taken as it is, not recounted: recounted, it could
    /// round otherwise, and the means differ from those the row would have gone on to give.
    /// </summary>
    public void Set(int position, double sum, int count)
    {
        _position = position;
        _sum = sum;
        _count = count;
    }

    /// <summary>Writes the ring; the running sum is recounted on reading.</summary>
    public readonly void WriteTo(BinaryWriter writer)
    {
        writer.Write(_position);
        foreach (float v in _ring)
            writer.Write(v);
    }

    /// <exception cref="InvalidDataException">A position outside a ring of <paramref name="length"/>.</exception>
    public static WindowMean ReadFrom(BinaryReader reader, int length)
    {
        var window = new WindowMean(length) { _position = reader.ReadInt32() };
        if (window._position < 0 || window._position >= length)
            throw new InvalidDataException($"bad window position {window._position} of {length}");
        for (int i = 0; i < length; i++)
            window._ring[i] = reader.ReadSingle();
        window.Recount();
        return window;
    }

    /// <summary>The mean, or NaN when fewer than half of the window's steps have a value.</summary>
    public readonly double Mean => _count * 2 >= _ring.Length && _count > 0 ? _sum / _count : double.NaN;

    private void Recount()
    {
        _sum = 0;
        _count = 0;
        foreach (float v in _ring)
        {
            if (!float.IsNaN(v))
            {
                _sum += v;
                _count++;
            }
        }
    }
}
