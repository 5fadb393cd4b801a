using System.Runtime.InteropServices;

namespace Sidecar.Score;

/// <summary>
/// Which of one series' forecasts still wait for their outcome, per horizon, each with what its user needs
/// to judge it (<typeparamref name="TPayload"/>): a forecast made at step s for horizon h is judged at step
/// s + h. Where each is kept is the <see cref="WaitingSchedule"/>'s, shared by the target's series.
/// </summary>
/// <remarks>
/// A slot holds the step it waits for and its payload side by side: judging a horizon's forecast and
/// recording the next one each touch one place. The slots may be one row of a table of many series'
/// (<see cref="ForRows"/>, <see cref="Row"/>), slot by slot: slot k of row r is element k × rows + r, so a step
/// that walks neighbouring rows, all at the same slot, reads them side by side. Used by the forecast
/// combination (<see cref="ForecastCombination"/>, <see cref="CombinationRows"/>); the intervals and the
/// quality ledger keep their waiting forecasts in tables of their own (<see cref="AdaptiveIntervals"/>,
/// <see cref="ForecastQuality"/>). A struct, so that its user holds the slots' array itself: one object fewer
/// between a series' state and its waiting forecasts for the step to miss on (issue 19). Touched by the
/// inference loop only.
/// </remarks>
internal readonly struct WaitingForecasts<TPayload>
    where TPayload : struct
{
    private readonly Slot[] _slots;
    private readonly int _row;
    private readonly int _rows;

    private WaitingForecasts(WaitingSchedule schedule, Slot[] slots, int row, int rows)
    {
        Schedule = schedule;
        (_slots, _row, _rows) = (slots, row, rows);
    }

    /// <summary>
    /// A table of <paramref name="rows"/> series' waiting forecasts, all empty, as its first row; <see cref="Row"/>
    /// gives each series its own (one series alone: a table of one row).
    /// </summary>
    public static WaitingForecasts<TPayload> ForRows(WaitingSchedule schedule, int rows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var table = new WaitingForecasts<TPayload>(schedule, new Slot[schedule.Slots * rows], row: 0, rows);
        table._slots.AsSpan().Fill(new Slot { Target = long.MinValue });
        return table;
    }

    /// <summary>Row <paramref name="row"/> of the table this is a row of.</summary>
    public WaitingForecasts<TPayload> Row(int row)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, _rows);
        return new(Schedule, _slots, row, _rows);
    }

    public WaitingSchedule Schedule { get; }

    /// <summary>Forgets every forecast waiting in this row, payloads too: a row reused is as a new one, saved or not.</summary>
    public void Empty()
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            _slots[slot * _rows + _row] = new Slot { Target = long.MinValue };
    }

    /// <summary>Keeps <paramref name="payload"/> for the forecast of <paramref name="horizon"/> made at <paramref name="step"/>, unless that step's forecasts are not kept.</summary>
    /// <returns>False when <paramref name="step"/> is not one whose forecasts this horizon keeps.</returns>
    public bool TryRecord(int horizon, long step, in TPayload payload)
    {
        if (!Schedule.Keeps(horizon, step))
            return false;
        long target = step + Schedule.StepsOf(horizon);
        ref Slot kept = ref _slots[Schedule.Slot(horizon, target) * _rows + _row];
        kept.Target = target;
        kept.Payload = payload;
        return true;
    }

    /// <summary>Takes the forecast of <paramref name="horizon"/> that waits for <paramref name="step"/>, if one does.</summary>
    public bool TryTake(int horizon, long step, out TPayload payload)
    {
        // Only a step a kept step's horizon ahead can have a forecast waiting: on a horizon that keeps every
        // k-th, the other steps return here without touching the slot's line, which a step over many series
        // would otherwise miss on (perf, bench inference, issue 19).
        if (!Schedule.Keeps(horizon, step - Schedule.StepsOf(horizon)))
        {
            payload = default;
            return false;
        }
        ref Slot slot = ref _slots[Schedule.Slot(horizon, step) * _rows + _row];
        if (slot.Target != step)
        {
            payload = default;
            return false;
        }
        slot.Target = long.MinValue;
        payload = slot.Payload;
        return true;
    }

    /// <summary>The payload of slot <paramref name="slot"/>, in slot order: for a user's snapshot.</summary>
    public ref TPayload PayloadAt(int slot) => ref _slots[slot * _rows + _row].Payload;

    /// <summary>Copies what waits here to <paramref name="to"/>, made for the same horizons.</summary>
    public void CopyTo(WaitingForecasts<TPayload> to)
    {
        // The same horizons place every forecast alike, whether or not the schedule object is shared (past
        // WaitingSchedule's limit of shared ones it is not).
        if (to.Schedule != Schedule && !to.Schedule.Fits(Schedule.HorizonSteps))
            throw new ArgumentException("Waiting forecasts of other horizons.", nameof(to));
        for (int slot = 0; slot < Schedule.Slots; slot++)
            to._slots[slot * to._rows + to._row] = _slots[slot * _rows + _row];
    }

    public void WriteSteps(BinaryWriter writer)
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            writer.Write(_slots[slot * _rows + _row].Target);
    }

    public void ReadSteps(BinaryReader reader)
    {
        for (int slot = 0; slot < Schedule.Slots; slot++)
            _slots[slot * _rows + _row].Target = reader.ReadInt64();
    }

    // Packed to four bytes: a payload of two or three floats then takes 16 or 20 bytes a slot, not 24.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public long Target;
        public TPayload Payload;
    }
}
