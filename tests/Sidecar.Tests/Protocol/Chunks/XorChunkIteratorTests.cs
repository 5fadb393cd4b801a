using Sidecar.Protocol;
using Sidecar.Protocol.Chunks;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Protocol.Chunks;

public sealed class XorChunkIteratorTests
{
    private static List<(long, double)> Decode(byte[] chunk)
    {
        var samples = new List<(long, double)>();
        var iterator = new XorChunkIterator(chunk);
        while (iterator.MoveNext())
            samples.Add((iterator.Timestamp, iterator.Value));
        return samples;
    }

    private static void AssertRoundTrip(IReadOnlyList<(long T, double V)> samples)
    {
        var encoder = new XorChunkEncoder();
        foreach (var (t, v) in samples)
            encoder.Append(t, v);
        var decoded = Decode(encoder.ToArray());
        Assert.Equal(samples.Count, decoded.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            Assert.Equal(samples[i].T, decoded[i].Item1);
            // Bit-exact, so NaN payloads (the stale marker) survive.
            Assert.Equal(BitConverter.DoubleToInt64Bits(samples[i].V), BitConverter.DoubleToInt64Bits(decoded[i].Item2));
        }
    }

    [Fact]
    public void SingleSample() => AssertRoundTrip([(1_700_000_000_000, 42.5)]);

    [Fact]
    public void EqualValuesAndRegularSteps() =>
        AssertRoundTrip(Enumerable.Range(0, 130).Select(i => (1_700_000_000_000 + i * 15_000L, 7.0)).ToList());

    [Fact]
    public void SpecialValues() => AssertRoundTrip(
    [
        (1000, 1), (2000, double.NaN), (3000, StaleMarker.Value), (4000, double.PositiveInfinity),
        (5000, double.NegativeInfinity), (6000, -0.0), (7000, double.Epsilon), (8000, double.MaxValue), (9000, 0),
    ]);

    [Fact]
    public void EveryDeltaOfDeltaBucketIncludingItsEdges()
    {
        long t = -5_000;
        var samples = new List<(long, double)> { (t, 0) };
        long[] jumps = [15_000, 15_000, 15_000 + 8191, 15_000 - 8191, 15_000 + 8192, 15_000 + 65_536, 15_000 - 65_535,
            15_000 + 524_288, 15_000 - 524_287, 15_000 + 524_289, 3_600_000_000, 1, 15_000];
        foreach (long jump in jumps)
        {
            t += jump;
            samples.Add((t, samples.Count));
        }
        AssertRoundTrip(samples);
    }

    [Fact]
    public void RandomSeriesOfRealisticShape()
    {
        var random = new Random(9);
        for (int round = 0; round < 200; round++)
        {
            long t = random.NextInt64(-1L << 40, 1L << 42);
            double v = random.NextDouble() * 100;
            var samples = new List<(long, double)>();
            for (int i = 0, n = random.Next(1, 300); i < n; i++)
            {
                t += random.Next(10) == 0 ? random.NextInt64(1, 1L << 35) : 15_000 + random.Next(-50, 50);
                v = random.Next(4) switch
                {
                    0 => v,
                    1 => Math.Round(v + random.NextDouble(), 2),
                    2 => v * (random.NextDouble() * 2 - 1) * 1e6,
                    _ => random.Next(),
                };
                samples.Add((t, v));
            }
            AssertRoundTrip(samples);
        }
    }

    [Fact]
    public void TruncatedCorruptAndHostileChunksOnlyThrowMalformedInput()
    {
        var encoder = new XorChunkEncoder();
        for (int i = 0; i < 150; i++)
            encoder.Append(1_700_000_000_000 + i * 15_000L, Math.Sin(i));
        byte[] valid = encoder.ToArray();
        var random = new Random(4);
        var inputs = new List<byte[]> { Array.Empty<byte>(), new byte[] { 0x00 }, new byte[] { 0xff, 0xff } };
        for (int length = 0; length < valid.Length; length++)
            inputs.Add(valid[..length]);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = (byte[])valid.Clone();
            mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            inputs.Add(mutated);
        }
        foreach (byte[] input in inputs)
        {
            try
            {
                // A chunk declares at most 65535 samples, so even garbage ends.
                Assert.True(Decode(input).Count <= ushort.MaxValue);
            }
            catch (MalformedInputException)
            {
            }
        }
    }
}
