using Sidecar.Model.Baselines;
using Sidecar.Store;

namespace Sidecar.Pipeline;

/// <summary>
/// <c>predict_linear</c>'s line over the fallback's range for one series, moved step by step. A refit reads
/// and decodes the whole range (6h: 361 steps at a 1-minute step) of every series at every step; here a
/// move of k steps adds the k newest values to running sums (<see cref="LineSums"/>) and takes the k oldest
/// away, each read through a cursor that carries on from the last move. Profiled with every received series
/// selected and no model trained yet, the refits were about 8 % of the receiver's CPU.
/// </summary>
/// <remarks>
/// The sums hold the window's samples except a newest step still being filled (a later sample replaces its
/// value): that one joins the sums at the next move, and a fit counts it for the moment. The whole window is
/// read again when what was read before can no longer be trusted or a move would read as much: the window
/// went back or moved by half its length or more, the ring's version changed (a late sample, a restore, a
/// block dropped), late samples are waiting to be encoded, an infinite sample left the sums infinite; and
/// once per window length, so that rounding in the sums never builds up over more than one window. The fit
/// agrees with <see cref="PredictLinearForecaster"/> over the same range, to rounding
/// (SlidingPredictLinearTests).
/// </remarks>
/// <param name="windowSteps">Steps in the window, its newest included.</param>
internal sealed class SlidingPredictLinear(int windowSteps)
{
    private LineSums _sums;

    // The window's newest step and the read that moved it there.
    private long _lastStep = long.MinValue;
    private WindowRead _read;
    private long _wholeReadAt;
    private HistoryCursor _oldestCursor, _newestCursor;

    // For the flat case (as Prometheus: a range whose samples are all equal is exactly flat), over the samples
    // in the sums: the newest one, and the step of the sample just before the newest change of value.
    private long _newestSummedStep = long.MinValue;
    private float _newestSummed;
    private long _beforeChangeStep = long.MinValue;

    /// <summary>How many times the whole window was read; for tests.</summary>
    internal int WholeReads { get; private set; }

    /// <summary>The value at the window's newest step: the fallback forecasts only from a step that holds data.</summary>
    public float Newest => _read.Newest;

    /// <summary>Samples in the window.</summary>
    public int Count => (int)_sums.Count + (OpenNewest ? 1 : 0);

    /// <summary>Whether the window's oldest step holds a sample.</summary>
    public bool OldestObserved => !float.IsNaN(_read.Oldest);

    // A newest step still being filled that holds a sample: counted, not in the sums.
    private bool OpenNewest => _read.NewestOpen && !float.IsNaN(_read.Newest);

    /// <summary>Moves the window to end at <paramref name="step"/>.</summary>
    /// <param name="scratch">Room for reads: as long as the window.</param>
    public void MoveTo(Series series, long step, Span<float> scratch)
    {
        long moved = step - _lastStep;
        if (moved >= 1 && moved <= (windowSteps - 2) / 2 && _lastStep != long.MinValue && _sums.IsFinite && step - _wholeReadAt < windowSteps)
        {
            int k = (int)moved;
            // Leaving: the last window's k oldest steps, then the new oldest. Entering: the k new steps, and
            // before them the last window's newest if it was still being filled (it joins the sums now).
            bool openBefore = _read.NewestOpen;
            Span<float> leaving = scratch[..(k + 1)], entering = scratch[(k + 1)..(2 * k + 1 + (openBefore ? 1 : 0))];
            WindowRead read = series.ReadWindowEdges(step, windowSteps, leaving, entering, ref _oldestCursor, ref _newestCursor);
            // Late samples waiting to be encoded may have filled a gap anywhere in the window, unseen by the version yet.
            if (read.Version == _read.Version && !read.LatePending)
            {
                _sums.Age(k);
                long firstLeaving = _lastStep - windowSteps + 1;
                for (int i = 0; i < k; i++)
                {
                    // Summed when it entered, as every step but an open newest is.
                    if (!float.IsNaN(leaving[i]))
                        _sums.Remove(firstLeaving + i - step, leaving[i]);
                }
                int summed = read.NewestOpen ? entering.Length - 1 : entering.Length;
                long firstEntering = step - entering.Length + 1;
                for (int i = 0; i < summed; i++)
                {
                    if (!float.IsNaN(entering[i]))
                        Sum(firstEntering + i - step, firstEntering + i, entering[i]);
                }
                _read = read;
                _lastStep = step;
                return;
            }
        }
        ReadWhole(series, step, scratch[..windowSteps]);
    }

    /// <summary>The least-squares line through the window's samples, at its newest step; false with fewer than two.</summary>
    public bool TryFit(out double valueAtLastStep, out double slopePerStep)
    {
        valueAtLastStep = slopePerStep = double.NaN;
        if (Count < 2)
            return false;
        long windowStart = _lastStep - windowSteps + 1;
        bool flat = _beforeChangeStep < windowStart
            && (!OpenNewest || _newestSummedStep < windowStart || _read.Newest == _newestSummed);
        if (flat)
        {
            float value = OpenNewest ? _read.Newest : _newestSummed;
            // A flat infinite range has no defined line, as in PredictLinearForecaster.
            if (float.IsInfinity(value))
                return false;
            valueAtLastStep = value;
            slopePerStep = 0;
            return true;
        }
        LineSums sums = _sums;
        if (OpenNewest)
            sums.Add(0, _read.Newest);
        sums.Solve(out valueAtLastStep, out slopePerStep);
        return true;
    }

    private void ReadWhole(Series series, long step, Span<float> window)
    {
        _read = series.CopyWindow(step, window);
        _sums = new LineSums { Anchor = NewestFinite(window) };
        _newestSummedStep = _beforeChangeStep = long.MinValue;
        int last = window.Length - 1, summed = _read.NewestOpen ? last : window.Length;
        for (int i = 0; i < summed; i++)
        {
            if (!float.IsNaN(window[i]))
                Sum(i - last, step - last + i, window[i]);
        }
        _lastStep = _wholeReadAt = step;
        WholeReads++;
    }

    private void Sum(long x, long step, float value)
    {
        _sums.Add(x, value);
        if (_newestSummedStep != long.MinValue && value != _newestSummed)
            _beforeChangeStep = _newestSummedStep;
        _newestSummedStep = step;
        _newestSummed = value;
    }

    // The sums' anchor: the newest value of the window, near those that follow it, so that a large, nearly
    // flat series sums small differences.
    private static double NewestFinite(ReadOnlySpan<float> window)
    {
        for (int i = window.Length - 1; i >= 0; i--)
        {
            if (float.IsFinite(window[i]))
                return window[i];
        }
        return 0;
    }
}
