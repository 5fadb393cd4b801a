namespace Sidecar.Score;

/// <summary>
/// The mean of the last N values pushed, gaps (NaN) left out, in constant time per value: a ring with a
/// running sum. The sum is recomputed from the ring each time it wraps, so rounding can't pile up.
/// A mutable struct, to spare an object per series: keep it in a field that isn't readonly.
/// </summary>
internal struct WindowMean
{
    private readonly float[] _ring;
    private int _position;
    private double _sum;
    private int _count;

    public WindowMean(int length)
    {
        _ring = new float[length];
        _ring.AsSpan().Fill(float.NaN);
    }

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
