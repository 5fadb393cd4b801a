using System.Runtime.InteropServices;

namespace Sidecar.Score;

/// <summary>
/// Which forecasts of one series still wait for their outcome, per horizon, each with what its user needs
/// to judge it (<typeparamref name="TPayload"/>): a forecast made at step s for horizon h is judged at step
/// s + h. Where each is kept is the <see cref="WaitingSchedule"/>'s, shared by the target's series.
/// </summary>
/// <remarks>
/// A slot holds the step it waits for and its payload side by side, in one array: judging a horizon's
/// forecast and recording the next one each touch one place of it. (Until issue 19 the steps and the
/// payloads were separate arrays of separate objects, and the step spent about a tenth of its time beside
/// the network fetching them.) A readonly struct over that array, kept in a field of its user: no object of
/// its own to load. Touched by the inference loop only.
/// </remarks>
internal readonly struct WaitingForecasts<TPayload>
    where TPayload : struct
{
    private readonly Slot[] _slots;

    public WaitingForecasts(WaitingSchedule schedule)
    {
        Schedule = schedule;
        _slots = new Slot[schedule.Slots];
        foreach (ref Slot slot in _slots.AsSpan())
            slot.Target = long.MinValue;
    }

    public WaitingSchedule Schedule { get; }

    /// <summary>Keeps <paramref name="payload"/> for the forecast of <paramref name="horizon"/> made at <paramref name="step"/>, unless that step's forecasts are not kept.</summary>
    /// <returns>False when <paramref name="step"/> is not one whose forecasts this horizon keeps.</returns>
    public bool TryRecord(int horizon, long step, in TPayload payload)
    {
        if (!Schedule.Keeps(horizon, step))
            return false;
        long target = step + Schedule.HorizonSteps[horizon];
        ref Slot slot = ref _slots[Schedule.Slot(horizon, target)];
        slot.Target = target;
        slot.Payload = payload;
        return true;
    }

    /// <summary>Takes the forecast of <paramref name="horizon"/> that waits for <paramref name="step"/>, if one does.</summary>
    public bool TryTake(int horizon, long step, out TPayload payload)
    {
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

    /// <summary>Takes over what <paramref name="other"/> keeps; it must be made for the same schedule.</summary>
    public void CopyFrom(WaitingForecasts<TPayload> other) => other._slots.CopyTo(_slots, 0);

    /// <summary>Writes which step each slot waits for, in slot order.</summary>
    public void WriteSteps(BinaryWriter writer)
    {
        foreach (Slot slot in _slots)
            writer.Write(slot.Target);
    }

    /// <summary>Reads what <see cref="WriteSteps"/> wrote, into a ring set made for the same horizons.</summary>
    public void ReadSteps(BinaryReader reader)
    {
        foreach (ref Slot slot in _slots.AsSpan())
            slot.Target = reader.ReadInt64();
    }

    // Packed to four bytes: a payload of three floats then takes 20 bytes a slot, not 24, as much memory as
    // the separate arrays it replaced.
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    private struct Slot
    {
        public long Target;
        public TPayload Payload;
    }
}
