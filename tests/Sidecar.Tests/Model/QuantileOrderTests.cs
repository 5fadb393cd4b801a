using Sidecar.Model;
using TorchSharp;

namespace Sidecar.Tests.Model;

/// <summary>
/// The head's raw outputs become quantiles as the network documents: the median is its own output, and
/// each other quantile is the median minus (below) or plus (above) the running sum of the softplus of the
/// outputs between it and the median. Checked against that sum worked out here in doubles, for a median
/// in the middle, at the bottom and alone, so a gap taken from the wrong column or summed the wrong way fails.
/// </summary>
public sealed class QuantileOrderTests
{
    private static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

    private static double[] Expected(float[] raw, int median)
    {
        var expected = new double[raw.Length];
        expected[median] = raw[median];
        double below = 0;
        for (int q = median - 1; q >= 0; q--)
            expected[q] = raw[median] - (below += Softplus(raw[q]));
        double above = 0;
        for (int q = median + 1; q < raw.Length; q++)
            expected[q] = raw[median] + (above += Softplus(raw[q]));
        return expected;
    }

    [Theory]
    [InlineData(5, 2)]
    [InlineData(3, 1)]
    [InlineData(4, 0)]
    [InlineData(1, 0)]
    public void EachQuantileIsTheMedianPlusOrMinusTheSoftplusOfTheOutputsBetween(int quantiles, int median)
    {
        // [batch 2, steps 3, heads 2, quantiles]: values on both sides of 0, large enough for softplus to bend.
        int batch = 2, steps = 3, heads = 2;
        var random = new Random(5);
        float[] values = [.. Enumerable.Range(0, batch * steps * heads * quantiles).Select(_ => (float)(random.NextDouble() * 8 - 4))];
        using var scope = torch.NewDisposeScope();
        var raw = torch.tensor(values).reshape(batch, steps, heads, quantiles);

        float[] ordered = LstmNetwork.OrderQuantiles(raw, median, quantiles).contiguous().data<float>().ToArray();

        Assert.Equal(values.Length, ordered.Length);
        for (int head = 0; head < values.Length / quantiles; head++)
        {
            double[] expected = Expected(values[(head * quantiles)..((head + 1) * quantiles)], median);
            for (int q = 0; q < quantiles; q++)
                Assert.Equal(expected[q], ordered[head * quantiles + q], 1e-5);
            for (int q = 1; q < quantiles; q++)
                Assert.True(ordered[head * quantiles + q] > ordered[head * quantiles + q - 1], "quantiles must not cross");
        }
    }
}
