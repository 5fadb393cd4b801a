using Sidecar.Model.Baselines;

namespace Sidecar.Tests.Model.Baselines;

public sealed class HalfBitsTests
{
    [Fact]
    public void EveryHalfWidensToTheSameDoubleAsTheRuntimesConversion()
    {
        // All 65,536 bit patterns: normals, subnormals, both zeros, infinities and NaNs.
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            Half value = BitConverter.UInt16BitsToHalf((ushort)bits);
            double expected = (double)value, actual = HalfBits.ToDouble(value);
            if (double.IsNaN(expected))
                Assert.True(double.IsNaN(actual), $"0x{bits:X4}");
            else
                Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"0x{bits:X4}: {actual} where {expected}");
        }
    }

    [Fact]
    public void EveryDoubleNearAHalfOrHalfwayBetweenTwoRoundsAsTheRuntimesConversion()
    {
        // Where rounding decides: each finite Half, each midpoint between neighbours (ties go to the even one),
        // and the doubles just either side of both; then the edges (zeros, the subnormal-normal boundary, the
        // largest finite Half, the overflow to infinity) and a million doubles spread over every exponent.
        var values = new List<double> { 0.0, -0.0, 65504, 65519.99, 65520, 65536, 1e300, double.Epsilon, double.PositiveInfinity, double.NaN, Math.Pow(2, -14), Math.Pow(2, -25), Math.Pow(2, -26) };
        for (int bits = 0; bits < 0x7C00; bits++)
        {
            double here = (double)BitConverter.UInt16BitsToHalf((ushort)bits);
            double next = (double)BitConverter.UInt16BitsToHalf((ushort)(bits + 1));
            foreach (double value in new[] { here, (here + next) / 2 })
                values.AddRange([value, Math.BitDecrement(value), Math.BitIncrement(value)]);
        }
        var random = new Random(3);
        for (int i = 0; i < 1_000_000; i++)
            values.Add(random.NextDouble() * Math.Pow(2, random.Next(-40, 20)));
        foreach (double magnitude in values)
        {
            foreach (double value in new[] { magnitude, -magnitude })
            {
                ushort expected = BitConverter.HalfToUInt16Bits((Half)value), actual = BitConverter.HalfToUInt16Bits(HalfBits.FromDouble(value));
                if (double.IsNaN(value))
                    Assert.True(Half.IsNaN(HalfBits.FromDouble(value)));
                else
                    Assert.True(expected == actual, $"{value:R}: 0x{actual:X4} where 0x{expected:X4}");
            }
        }
    }
}
