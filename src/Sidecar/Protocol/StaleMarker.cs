namespace Sidecar.Protocol;

/// <summary>
/// Prometheus marks the end of a series with one specific NaN payload. It is a signal, never a value.
/// </summary>
internal static class StaleMarker
{
    public const ulong Bits = 0x7ff0000000000002;

    public static bool Is(double value) => (ulong)BitConverter.DoubleToInt64Bits(value) == Bits;

    public static double Value => BitConverter.Int64BitsToDouble((long)Bits);
}
