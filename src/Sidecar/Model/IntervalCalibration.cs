namespace Sidecar.Model;

/// <summary>
/// Widens (or narrows) the outermost quantiles per head so that, on the validation part, the share of
/// outcomes below the lower edge and above the upper edge match their configured levels: a split
/// conformal correction. Pinball loss on a few days of data tends to give intervals that are too narrow;
/// this fixes the calibration without touching the median.
/// </summary>
/// <remarks>
/// For each outcome y with median m and edges l &lt; m &lt; u, the stretch that would put y exactly on an
/// edge is (m − y) / (m − l) below and (y − m) / (u − m) above. The lower scale is the (1 − q_low)
/// quantile of the first over all outcomes, the upper one the q_high quantile of the second.
/// </remarks>
internal static class IntervalCalibration
{
    /// <summary>Scales per head, <c>[head · 2]</c> lower and <c>[head · 2 + 1]</c> upper; 1 where there is too little data.</summary>
    public static float[] Fit(LstmNetwork network, SequenceSet data, IReadOnlyList<Lane> lanes, IReadOnlyList<double> quantiles, int medianIndex)
    {
        int heads = data.HeadSteps.Count, q = quantiles.Count;
        var scales = new float[heads * 2];
        Array.Fill(scales, 1f);
        if (medianIndex == 0 || medianIndex == q - 1)
            return scales;
        var below = Enumerable.Range(0, heads).Select(_ => new List<float>()).ToArray();
        var above = Enumerable.Range(0, heads).Select(_ => new List<float>()).ToArray();
        ValidationPass.Run(network, data, lanes, (output, _, targets) =>
        {
            float[] predicted = output.data<float>().ToArray();
            for (int i = 0; i < targets.Length; i++)
            {
                float y = targets[i];
                if (float.IsNaN(y))
                    continue;
                int head = i % heads;
                float lower = predicted[i * q], median = predicted[i * q + medianIndex], upper = predicted[i * q + q - 1];
                if (median - lower > 1e-9f)
                    below[head].Add((median - y) / (median - lower));
                if (upper - median > 1e-9f)
                    above[head].Add((y - median) / (upper - median));
            }
        });
        for (int h = 0; h < heads; h++)
        {
            scales[h * 2] = ScaleFor(below[h], 1 - quantiles[0]);
            scales[h * 2 + 1] = ScaleFor(above[h], quantiles[q - 1]);
        }
        return scales;
    }

    // Too few outcomes say nothing reliable about a 5% tail: keep the network's own interval.
    private const int MinimumOutcomes = 200;

    private static float ScaleFor(List<float> stretches, double level)
    {
        if (stretches.Count < MinimumOutcomes)
            return 1f;
        stretches.Sort();
        float scale = stretches[Math.Min(stretches.Count - 1, (int)Math.Ceiling(level * stretches.Count) - 1)];
        // A scale near zero would collapse the interval onto the median; keep at least a tenth of it.
        return Math.Max(scale, 0.1f);
    }
}
