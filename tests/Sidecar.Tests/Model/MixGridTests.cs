using Sidecar.Model;

namespace Sidecar.Tests.Model;

public sealed class MixGridTests
{
    // The choice as MixGrid documents it: scanned from the first mix, the middle's error the first bar, a
    // mix taking over when its error is below the best's times 1 - 1e-9.
    private static int Scanned(double[] errors)
    {
        int best = MixGrid.Count / 2;
        for (int k = 0; k < MixGrid.Count; k++)
        {
            if (errors[k] < errors[best] * (1 - 1e-9))
                best = k;
        }
        return best;
    }

    [Fact]
    public void TheBestMixIsTheScansOnConvexErrorsNearTiesAndValuesNoErrorHas()
    {
        var random = new Random(9);
        double[] Each(Func<int, double> error) => [.. Enumerable.Range(0, MixGrid.Count).Select(error)];
        List<double[]> cases =
        [
            Each(_ => 0),                                   // all tied at 0: the middle
            Each(_ => 1),                                   // all tied: the middle
            Each(_ => double.PositiveInfinity),
            Each(k => k == 3 ? double.NaN : 1.0 + k),
            Each(k => k == 0 ? double.NaN : 1.0 + k),
            Each(k => k == 7 ? -1.0 : 1.0),
            Each(k => k == 0 ? -1.0 : k == 1 ? -0.9999999995 : 1.0),   // negative: the scan takes the later one
            Each(k => k == 2 ? -0.0 : k == 9 ? 0.0 : 1.0),   // zeros of both signs tie
            Each(k => k == 9 ? -0.0 : 1.0),
        ];
        // A NaN in each place, beside a clear least elsewhere and beside ties: a minimum that passes NaNs over
        // must still send these to the scan.
        for (int nan = 0; nan < MixGrid.Count; nan++)
        {
            for (int best = 0; best < MixGrid.Count; best++)
            {
                int at = nan, clear = best;
                cases.Add(Each(k => k == at ? double.NaN : k == clear ? 0.5 : 1.0 + k));
                cases.Add(Each(k => k == at ? double.NaN : k == clear ? -0.0 : 1.0));
                cases.Add(Each(k => k == at ? double.NaN : k == clear ? -2.0 : 1.0));
            }
        }
        for (int i = 0; i < 200_000; i++)
        {
            // Errors convex in the weight, as a mix's mean absolute error is, around a random best weight...
            double centre = random.NextDouble() * 12 - 0.5, scale = Math.Pow(10, random.Next(-8, 8));
            double[] errors = [.. Enumerable.Range(0, MixGrid.Count).Select(k => scale * (1 + Math.Abs(k - centre) * random.NextDouble()))];
            // ...then some put within, at and just past the margin of the least, or equal to it.
            int least = Array.IndexOf(errors, errors.Min()), other = random.Next(MixGrid.Count);
            switch (random.Next(6))
            {
                case 0: errors[other] = errors[least]; break;
                case 1: errors[other] = errors[least] * (1 + 1e-9); break;
                case 2: errors[other] = errors[least] / (1 - 1e-9); break;
                case 3: errors[other] = Math.BitIncrement(errors[least] / (1 - 1e-9)); break;
                case 4: errors[other] = errors[least] * (1 + 1e-12); break;
            }
            cases.Add(errors);
        }
        foreach (double[] errors in cases)
            Assert.True(Scanned(errors) == MixGrid.Best(errors), $"{MixGrid.Best(errors)} where the scan gives {Scanned(errors)}: {string.Join(", ", errors.Select(e => e.ToString("R")))}");
    }
}
