namespace Sidecar.Host;

/// <summary>
/// The settings in use. <see cref="SidecarSettings"/> is immutable; a reload swaps in a new one here, so
/// code that must follow reloads reads <see cref="Current"/> when it acts, not once at construction.
/// </summary>
internal sealed class SettingsHolder(SidecarSettings initial)
{
    private SidecarSettings _current = initial;

    public SidecarSettings Current => Volatile.Read(ref _current);

    /// <summary>Makes <paramref name="next"/> current; called only by the reload, after it was validated.</summary>
    public void Replace(SidecarSettings next) => Volatile.Write(ref _current, next);
}
