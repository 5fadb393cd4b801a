using System.Runtime.InteropServices;

namespace Sidecar.Score;

/// <summary>
/// Which of one series' forecasts still wait for their outcome, per horizon, each with what its user needs
/// to judge it (<typeparamref name="TPayload"/>): a forecast made at step s for horizon h is judged at step
/// s + h. Where each is kept is the <see cref="WaitingSchedule"/>'s, shared by the target's series.
/// </summary>
/// <remarks>
/// A slot holds the step it waits for and its payload side by side: judging a horizon's forecast and
/// recording the next one each touch one place. Used by a series' forecast combination
/// (<see cref="ForecastCombination"/>); a target's many series keep their intervals' and quality ledger's
/// waiting forecasts in tables of their own (<see cref="AdaptiveIntervals"/>, <see cref="ForecastQuality"/>),
/// laid out for a step that walks them all. A struct, so that its user holds the slots' array itself: one
/// object fewer between a series' state and its waiting forecasts for the step to miss on (issue 19).
/// Touched by the inference loop only.
/// </remarks>
internal readonly struct WaitingForecasts<TPayload>
    where TPayload : struct
{
    private readonly Slot[] _slots;

    public WaitingForecasts(WaitingSchedule schedule)
    {
        Schedule = schedule;
        _slots = new Slot[schedule.Slots];
        _slots.AsSpan().Fill(new Slot { Target = long.MinValue });
    }

    public WaitingSchedule Schedule { get; }

    /// <summary>Keeps <paramref name="payload"/> for the forecast of <paramref name="horizon"/> made at <paramref name="step"/>, unless that step's forecasts are not kept.</summary>
    /// <returns>False when <paramref name="step"/> is not one whose forecasts this horizon keeps.</returns>
    public bool TryRecord(int horizon, long step, in TPayload payload)
    {
        if (!Schedule.Keeps(horizon, step))
            return false;
        long target = step + Schedule.StepsOf(horizon);
        ref Slot kept = ref _slots[Schedule.Slot(horizon, target)];
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
        ref Slot slot = ref _slots[Schedule.Slot(horizon, step)];
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
    public ref TPayload PayloadAt(int slot) => ref _slots[slot].Payload;

    /// <summary>Copies what waits here to <paramref name="to"/>, made for the same horizons.</summary>
    public void CopyTo(WaitingForecasts<TPayload> to)
    {
        // The same horizons place every forecast alike, whether or not the schedule object is shared (past
        // WaitingSchedule's limit of shared ones it is not).
        if (to.Schedule != Schedule && !to.Schedule.Fits(Schedule.HorizonSteps))
            throw new ArgumentException("Waiting forecasts of other horizons.", nameof(to));
        _slots.CopyTo(to._slots, 0);
    }

    public void WriteSteps(BinaryWriter writer)
    {
        foreach (Slot slot in _slots)
            writer.Write(slot.Target);
    }

    public void ReadSteps(BinaryReader reader)
    {
        foreach (ref Slot slot in _slots.AsSpan())
            slot.Target = reader.ReadInt64();
    }

    // Packed to four bytes: a payload of two or three floats then takes 16 or 20 bytes a slot, not 24.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public long Target;
        public TPayload Payload;
    }
}
