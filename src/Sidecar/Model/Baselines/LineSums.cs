namespace Sidecar.Model.Baselines;

/// <summary>
/// The sums behind an ordinary least-squares line through samples at whole-step times (the newest step at
/// x = 0, earlier ones negative): <c>predict_linear</c>'s line, fitted from its range at once
/// (<see cref="PredictLinearForecaster"/>) or moved one step at a time (the fallback's sliding fit).
/// </summary>
/// <remarks>
/// The counts and the sums of x are whole numbers far below 2^53, so they stay exact in double however
/// often samples come and go. The sums of y are of <c>y − Anchor</c>: a sliding fit anchors them at a value
/// of its range, so that a large, nearly flat series (a byte counter near 1e12) adds and takes away small
/// numbers instead of large ones that cancel. A fit from the range at once anchors at 0, which leaves its
/// sums as Prometheus computes them.
/// </remarks>
internal struct LineSums
{
    public double Count, SumX, SumX2, SumY, SumXY;

    /// <summary>Subtracted from every y before it is summed; added back to the fitted value.</summary>
    public double Anchor;

    public void Add(double x, float y)
    {
        double centred = y - Anchor;
        Count++;
        SumX += x;
        SumX2 += x * x;
        SumY += centred;
        SumXY += x * centred;
    }

    public void Remove(double x, float y)
    {
        double centred = y - Anchor;
        Count--;
        SumX -= x;
        SumX2 -= x * x;
        SumY -= centred;
        SumXY -= x * centred;
    }

    /// <summary>Makes every sample <paramref name="steps"/> steps older (x becomes x − k), as the newest step moves on.</summary>
    public void Age(int steps)
    {
        // Σ(x−k)² = Σx² − 2kΣx + k²n and Σ(x−k)·y = Σxy − kΣy, from the sums before the move.
        double k = steps;
        SumX2 += k * k * Count - 2 * k * SumX;
        SumXY -= k * SumY;
        SumX -= k * Count;
    }

    /// <summary>Whether the y sums are still numbers: an infinite sample makes them infinite or NaN for good.</summary>
    public readonly bool IsFinite => double.IsFinite(SumY) && double.IsFinite(SumXY);

    /// <summary>The least-squares line at x = 0 and its slope per step. Needs two samples at different steps.</summary>
    public readonly void Solve(out double valueAtZero, out double slopePerStep)
    {
        double covarianceXY = SumXY - SumX * SumY / Count;
        double varianceX = SumX2 - SumX * SumX / Count;
        slopePerStep = covarianceXY / varianceX;
        valueAtZero = Anchor + (SumY / Count - slopePerStep * SumX / Count);
    }
}
