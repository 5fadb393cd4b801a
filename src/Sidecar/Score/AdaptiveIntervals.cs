using System.Numerics;
using Sidecar.Host;

namespace Sidecar.Score;

/// <summary>
/// Keeps each series' forecast interval at its promised coverage under drift, per horizon, by online
/// quantile tracking of a conformity score (the "P control" of Angelopoulos, Candès and Tibshirani's
/// conformal PID control, a successor of Gibbs and Candès' adaptive conformal inference): the model's band
/// is stretched about its median by a factor q, and once each forecast's outcome is known, q grows by
/// η·(1 − target) after a miss and shrinks by η·target after a hit. Whatever the errors' distribution and
/// however it drifts, the long-run share of misses then tends to 1 − target; the calibration on the
/// validation part only sets where q starts (1).
/// </summary>
/// <remarks>
/// One row per series (a pipeline's rows are its series' ids), for all the series of a target that share
/// the horizons and the coverage. A forecast h steps ahead is judged h steps after it was made, so each
/// horizon keeps the forecasts still waiting for their outcome (<see cref="WaitingForecasts{TPayload}"/>).
/// On long horizons only every k-th step's forecast is kept; q moves on those outcomes alone, which changes
/// its speed, not what it converges to. Stored like the waiting forecasts, a tile of rows at a time, each
/// horizon's stretch of every row of a tile together: a step walking its series in id order reads them as
/// a stream (issue 19). <see cref="AdaptiveInterval"/> is one series' interval on its own, as saved.
/// Touched by the inference loop only.
/// </remarks>
internal sealed class AdaptiveIntervals
{
    // The step of q per outcome: with ~1,000 outcomes a miss rate already sits within about a point of its target.
    private const float Rate = 0.05f;
    internal const float Smallest = 0.05f;
    internal const float Largest = 20f;

    /// <summary>The intervals of a target's series, rows stored a tile of this many together (245 KB a tile at three horizons).</summary>
    private const int TargetRowsPerTile = 256;

    private readonly WaitingForecasts<Band> _waiting;
    private readonly int _tileShift;
    // Per tile, [horizon * rows per tile + row in tile]: each row's stretch per horizon, NaN where a row has no interval.
    private float[][] _stretchTiles = [];

    // The slots of the step Record and Observe were last called for, per horizon: every series of a step
    // shares them, so they are found once a step instead of once a series and horizon (an ablation had put
    // recording and stretching three horizons' bands at about 15 ns a series of a 1,024-series step; issue 19).
    private long _recordStep = long.MinValue, _observeStep = long.MinValue;
    private readonly int[] _recordSlots, _observeSlots;

    /// <param name="missRate">
    /// The share of outcomes promised outside the band, e.g. 0.1 for p05–p95; 1 for a model with the median
    /// alone (<c>model.quantiles: [0.5]</c>), whose band has no width and whose stretch then never moves.
    /// </param>
    /// <param name="rowsPerTile">Rows stored together, a power of two: 1 for one series, a few hundred for a target's.</param>
    public AdaptiveIntervals(WaitingSchedule schedule, float missRate, int rowsPerTile)
    {
        _waiting = new WaitingForecasts<Band>(schedule, rowsPerTile);
        _tileShift = BitOperations.Log2((uint)rowsPerTile);
        MissRate = missRate;
        _recordSlots = new int[schedule.Horizons];
        _observeSlots = new int[schedule.Horizons];
    }

    /// <summary>
    /// The intervals of a target's series: its horizons, and the coverage the band between the lowest and
    /// highest quantile promises.
    /// </summary>
    public static AdaptiveIntervals ForTarget(TargetSettings target) =>
        new(WaitingSchedule.For([.. target.Horizons.Select(h => h.Steps)]),
            (float)(1 - (target.Model.Quantiles.Max() - target.Model.Quantiles.Min())), TargetRowsPerTile);

    public WaitingSchedule Schedule => _waiting.Schedule;

    public float MissRate { get; }

    /// <summary>Whether row <paramref name="row"/> has an interval (<see cref="Start"/>, not <see cref="Remove"/>d since).</summary>
    public bool Has(int row) => row < _waiting.Rows && !float.IsNaN(StretchAt(row, 0));

    /// <summary>Starts row <paramref name="row"/> afresh: stretched by 1 on every horizon, nothing waiting.</summary>
    public void Start(int row)
    {
        EnsureRows(row + 1);
        _waiting.ClearRow(row);
        for (int h = 0; h < Schedule.Horizons; h++)
            StretchAt(row, h) = 1f;
    }

    /// <summary>Takes row <paramref name="row"/>'s interval away (its series was forgotten).</summary>
    public void Remove(int row)
    {
        if (row >= _waiting.Rows)
            return;
        _waiting.ClearRow(row);
        for (int h = 0; h < Schedule.Horizons; h++)
            StretchAt(row, h) = float.NaN;
    }

    /// <summary>The factor row <paramref name="row"/>'s band of horizon <paramref name="horizon"/> is stretched by about its median.</summary>
    public float Stretch(int row, int horizon) => StretchAt(row, horizon);

    /// <summary>Remembers row <paramref name="row"/>'s own band (before stretching) of the forecast made at <paramref name="step"/>.</summary>
    public void Record(int row, int horizon, long step, float median, float lower, float upper)
    {
        if (float.IsNaN(lower) || float.IsNaN(upper))
            return;
        if (step != _recordStep)
        {
            for (int h = 0; h < _recordSlots.Length; h++)
                _recordSlots[h] = _waiting.RecordSlot(h, step);
            _recordStep = step;
        }
        int slot = _recordSlots[horizon];
        if (slot >= 0)
            _waiting.RecordAt(row, slot, step + Schedule.StepsOf(horizon), new Band(median, median - lower, upper - median));
    }

    /// <summary>Judges every forecast row <paramref name="row"/> remembered for <paramref name="step"/> against its outcome; nothing for a row without an interval.</summary>
    public void Observe(int row, long step, float actual)
    {
        if (float.IsNaN(actual) || row >= _waiting.Rows)
            return;
        // The row's tile and place in it, found once for every horizon (StretchAt's arithmetic): through
        // StretchAt per horizon an Observe took 29 ns a row instead of 25 (1,024 rows, three horizons; issue 19).
        float[] stretches = _stretchTiles[row >> _tileShift];
        int inTile = row & ((1 << _tileShift) - 1);
        if (float.IsNaN(stretches[inTile]))
            return; // no interval (Has)
        if (step != _observeStep)
        {
            for (int h = 0; h < _observeSlots.Length; h++)
                _observeSlots[h] = Schedule.Slot(h, step);
            _observeStep = step;
        }
        for (int h = 0; h < _observeSlots.Length; h++)
        {
            if (!_waiting.TryTakeAt(row, _observeSlots[h], step, out Band band))
                continue;
            // How far out the outcome fell, in units of the band's half on its side: within the band as
            // stretched now when at most the stretch.
            float gap = actual >= band.Median ? band.Above : band.Below;
            float score = gap > 0 ? Math.Abs(actual - band.Median) / gap : actual == band.Median ? 0 : float.PositiveInfinity;
            ref float stretch = ref stretches[(h << _tileShift) + inTile];
            bool miss = score > stretch;
            stretch = Math.Clamp(stretch + Rate * ((miss ? 1 : 0) - MissRate), Smallest, Largest);
        }
    }

    /// <summary>Copies row <paramref name="row"/>'s interval to row <paramref name="toRow"/> of <paramref name="to"/>, made for the same horizons; its miss rate stays <paramref name="to"/>'s.</summary>
    public void CopyRow(int row, AdaptiveIntervals to, int toRow)
    {
        to.EnsureRows(toRow + 1);
        _waiting.CopyRow(row, to._waiting, toRow);
        for (int h = 0; h < Schedule.Horizons; h++)
            to.StretchAt(toRow, h) = StretchAt(row, h);
    }

    /// <summary>Row <paramref name="row"/>'s stretch of <paramref name="horizon"/>, to read or write (a snapshot's).</summary>
    internal ref float StretchAt(int row, int horizon)
    {
        int inTile = row & ((1 << _tileShift) - 1);
        return ref _stretchTiles[row >> _tileShift][(horizon << _tileShift) + inTile];
    }

    /// <summary>Row <paramref name="row"/>'s waiting band in slot <paramref name="slot"/>: a snapshot's median and distances below and above it.</summary>
    internal ref Band WaitingAt(int row, int slot) => ref _waiting.PayloadAt(row, slot);

    internal WaitingForecasts<Band> Waiting => _waiting;

    private void EnsureRows(int rows)
    {
        _waiting.EnsureRows(rows);
        int tiles = _waiting.Rows >> _tileShift, had = _stretchTiles.Length;
        if (tiles <= had)
            return;
        Array.Resize(ref _stretchTiles, tiles);
        for (int t = had; t < tiles; t++)
        {
            _stretchTiles[t] = new float[Schedule.Horizons << _tileShift];
            Array.Fill(_stretchTiles[t], float.NaN);
        }
    }

    /// <summary>A waiting forecast's median and its band's distance below and above it, before stretching.</summary>
    internal readonly record struct Band(float Median, float Below, float Above);
}
