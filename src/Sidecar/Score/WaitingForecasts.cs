using System.Numerics;
using System.Runtime.InteropServices;

namespace Sidecar.Score;

/// <summary>
/// Which forecasts still wait for their outcome, per row (a series) and horizon, each with what its user
/// needs to judge it (<typeparamref name="TPayload"/>): a forecast made at step s for horizon h is judged at
/// step s + h. Where each is kept is the <see cref="WaitingSchedule"/>'s, shared by the target's series.
/// </summary>
/// <remarks>
/// A slot holds the step it waits for and its payload side by side: judging a horizon's forecast and
/// recording the next one each touch one place. The rows are stored in tiles of a power of two, slot by
/// slot: a slot of every row of a tile, then the next slot. At a given step every series of a target judges
/// and records the same slots, so a step walking its series in id order (the pipeline's rows) reads each
/// horizon's slots as one stream the processor fetches ahead, where one array per series made each a miss
/// of its own (issue 19). A user with one series keeps one row in a tile of one. Tiles are added as rows
/// are, so growing never copies what is there. Touched by the inference loop only.
/// </remarks>
internal sealed class WaitingForecasts<TPayload>
    where TPayload : struct
{
    private readonly int _tileShift;
    private readonly int _slotsPerTile;
    private Slot[][] _tiles = [];

    /// <param name="rowsPerTile">Rows stored together, a power of two: 1 for one series, a few hundred for a target's.</param>
    public WaitingForecasts(WaitingSchedule schedule, int rowsPerTile = 1)
    {
        if (!BitOperations.IsPow2(rowsPerTile))
            throw new ArgumentOutOfRangeException(nameof(rowsPerTile), rowsPerTile, "a power of two");
        Schedule = schedule;
        _tileShift = BitOperations.Log2((uint)rowsPerTile);
        _slotsPerTile = schedule.Slots << _tileShift;
    }

    public WaitingSchedule Schedule { get; }

    /// <summary>Rows there is room for now.</summary>
    public int Rows => _tiles.Length << _tileShift;

    /// <summary>Makes room for rows 0 to <paramref name="rows"/> − 1, a tile at a time; new rows wait for nothing.</summary>
    public void EnsureRows(int rows)
    {
        int tiles = (rows + (1 << _tileShift) - 1) >> _tileShift;
        if (tiles <= _tiles.Length)
            return;
        int had = _tiles.Length;
        Array.Resize(ref _tiles, tiles);
        for (int t = had; t < _tiles.Length; t++)
        {
            _tiles[t] = new Slot[_slotsPerTile];
            foreach (ref Slot slot in _tiles[t].AsSpan())
                slot.Target = long.MinValue;
        }
    }

    /// <summary>Forgets everything row <paramref name="row"/> waits for.</summary>
    public void ClearRow(int row)
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            SlotOf(row, slot) = new Slot { Target = long.MinValue };
    }

    /// <summary>Keeps <paramref name="payload"/> for row <paramref name="row"/>'s forecast of <paramref name="horizon"/> made at <paramref name="step"/>, unless that step's forecasts are not kept.</summary>
    /// <returns>False when <paramref name="step"/> is not one whose forecasts this horizon keeps.</returns>
    public bool TryRecord(int row, int horizon, long step, in TPayload payload)
    {
        int slot = RecordSlot(horizon, step);
        if (slot < 0)
            return false;
        RecordAt(row, slot, step + Schedule.StepsOf(horizon), payload);
        return true;
    }

    /// <summary>
    /// Where <see cref="TryRecord"/> keeps a forecast of <paramref name="horizon"/> made at <paramref name="step"/>,
    /// whatever the row; −1 when the schedule keeps none that step. For a caller that records many rows' forecasts
    /// of one step, with <see cref="RecordAt"/>.
    /// </summary>
    public int RecordSlot(int horizon, long step) =>
        Schedule.Keeps(horizon, step) ? Schedule.Slot(horizon, step + Schedule.StepsOf(horizon)) : -1;

    /// <summary>Keeps <paramref name="payload"/> for row <paramref name="row"/> in <paramref name="slot"/> (<see cref="RecordSlot"/>), waiting for <paramref name="targetStep"/>.</summary>
    public void RecordAt(int row, int slot, long targetStep, in TPayload payload)
    {
        ref Slot kept = ref SlotOf(row, slot);
        kept.Target = targetStep;
        kept.Payload = payload;
    }

    /// <summary>Takes row <paramref name="row"/>'s forecast of <paramref name="horizon"/> that waits for <paramref name="step"/>, if one does.</summary>
    public bool TryTake(int row, int horizon, long step, out TPayload payload) =>
        TryTakeAt(row, Schedule.Slot(horizon, step), step, out payload);

    /// <summary>
    /// <see cref="TryTake"/> with the horizon's slot for <paramref name="step"/> (<see cref="WaitingSchedule.Slot"/>)
    /// given: the same for every row, so a caller judging many rows' outcomes of one step finds it once.
    /// </summary>
    public bool TryTakeAt(int row, int slotIndex, long step, out TPayload payload)
    {
        ref Slot slot = ref SlotOf(row, slotIndex);
        if (slot.Target != step)
        {
            payload = default;
            return false;
        }
        slot.Target = long.MinValue;
        payload = slot.Payload;
        return true;
    }

    /// <summary>The payload of slot <paramref name="slot"/> of row <paramref name="row"/>, in slot order: for a user's snapshot.</summary>
    public ref TPayload PayloadAt(int row, int slot) => ref SlotOf(row, slot).Payload;

    /// <summary>Copies what row <paramref name="row"/> waits for to row <paramref name="toRow"/> of <paramref name="to"/>, made for the same horizons.</summary>
    public void CopyRow(int row, WaitingForecasts<TPayload> to, int toRow)
    {
        // The same horizons place every forecast alike, whether or not the schedule object is shared (past
        // WaitingSchedule's limit of shared ones it is not).
        if (to.Schedule != Schedule && !to.Schedule.Fits(Schedule.HorizonSteps))
            throw new ArgumentException("Waiting forecasts of other horizons.", nameof(to));
        for (int slot = 0; slot < Schedule.Slots; slot++)
            to.SlotOf(toRow, slot) = SlotOf(row, slot);
    }

    public void WriteSteps(int row, BinaryWriter writer)
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            writer.Write(SlotOf(row, slot).Target);
    }

    public void ReadSteps(int row, BinaryReader reader)
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            SlotOf(row, slot).Target = reader.ReadInt64();
    }

    private ref Slot SlotOf(int row, int slot)
    {
        int inTile = row & ((1 << _tileShift) - 1);
        return ref _tiles[row >> _tileShift][(slot << _tileShift) + inTile];
    }

    // Packed to four bytes: a payload of three floats then takes 20 bytes a slot, not 24.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public long Target;
        public TPayload Payload;
    }
}
