namespace Sidecar.Model;

/// <summary>
/// A stretch of one series run through the network from a zero state: positions <c>[From, To)</c>, of
/// which those from <see cref="LossFrom"/> on are scored. What comes before is warm-up, so the network
/// learns (and is judged) on carried state, as it runs when serving.
/// </summary>
/// <param name="TargetEnd">Targets at or after this index are outside the part and don't count.</param>
internal readonly record struct Lane(SeriesHistory Series, int From, int LossFrom, int To, int TargetEnd)
{
    public int Length => To - From;
}
