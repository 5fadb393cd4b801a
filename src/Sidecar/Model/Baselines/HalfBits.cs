namespace Sidecar.Model.Baselines;

/// <summary>
/// Converts between <see cref="Half"/> and double as <c>(double)half</c> and <c>(Half)value</c> do, to the
/// bit, in a few instructions: .NET 10 converts in software, with branches for every class of value (and,
/// for a subnormal, a call), at every Holt-Winters offset the inference loop reads and writes (issue 19).
/// Infinities, NaNs and values past Half's range take the runtime's conversion.
/// </summary>
internal static class HalfBits
{
    // Half's exponent field all ones: an infinity or a NaN, which take the runtime's own conversion.
    private const uint ExponentAllOnes = 0x7C00;

    // 2^112, built from its bits: C# has no hexadecimal float literals.
    private static readonly float Rebias = BitConverter.UInt32BitsToSingle((127 + 112) << 23);

    // 65,520, halfway from Half's largest finite value to the next power of two: from it up a value rounds to infinity.
    private const ulong RoundsToInfinity = 0x40EF_FE00_0000_0000;

    // 2^-14, Half's smallest normal value.
    private const ulong SmallestNormal = 0x3F10_0000_0000_0000;

    // 2^28, whose doubles lie 2^-24 apart, Half's subnormal step: adding it rounds a subnormal to its step.
    private const double SubnormalRounder = 268_435_456.0;

    /// <summary>The value of <paramref name="value"/> as a double.</summary>
    public static double ToDouble(Half value)
    {
        uint bits = BitConverter.HalfToUInt16Bits(value);
        uint magnitude = bits & 0x7FFF;
        if (magnitude >= ExponentAllOnes)
            return (double)value;
        // Half's exponent and mantissa placed where a float keeps them read as a float 2^112 times too small
        // (the biases differ by 127 - 15): a normal Half becomes a normal float, a subnormal Half a subnormal
        // float, and multiplying by a power of two is exact for both.
        float unbiased = BitConverter.UInt32BitsToSingle(magnitude << 13) * Rebias;
        return (bits & 0x8000) != 0 ? -(double)unbiased : unbiased;
    }

    /// <summary><paramref name="value"/> rounded to the nearest Half, ties to even.</summary>
    public static Half FromDouble(double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        ulong magnitude = bits & 0x7FFF_FFFF_FFFF_FFFF;
        if (magnitude >= RoundsToInfinity)
            return (Half)value;
        uint sign = (uint)(bits >> 48) & 0x8000;
        if (magnitude < SmallestNormal)
        {
            // The hardware's own rounding (to nearest, ties to even) lands the value on a multiple of 2^-24; the
            // bits above the rounder's are the subnormal's mantissa (1,024 rounds up to the smallest normal).
            double onStep = BitConverter.UInt64BitsToDouble(magnitude) + SubnormalRounder;
            return BitConverter.UInt16BitsToHalf((ushort)(sign | (uint)(BitConverter.DoubleToUInt64Bits(onStep) - BitConverter.DoubleToUInt64Bits(SubnormalRounder))));
        }
        // A normal: the exponent rebased from double's bias to Half's, then the 42 mantissa bits Half lacks
        // rounded off, to nearest and ties to even (a carry moves the exponent up, as it should).
        ulong rebased = magnitude - ((ulong)(1023 - 15) << 52);
        ulong rounded = rebased + ((1UL << 41) - 1) + ((rebased >> 42) & 1);
        return BitConverter.UInt16BitsToHalf((ushort)(sign | (uint)(rounded >> 42)));
    }
}
