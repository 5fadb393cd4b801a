using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// The quantile (pinball) loss, averaged over the targets that exist: a target is NaN where the future
/// value is a gap or lies outside the part being trained or validated, and such cells add nothing.
/// </summary>
internal static class PinballLoss
{
    /// <param name="predicted"><c>[batch, steps, heads, quantiles]</c>.</param>
    /// <param name="targets"><c>[batch, steps, heads]</c>, NaN where there is no target.</param>
    /// <param name="levels"><c>[quantiles]</c>, the quantile levels.</param>
    /// <returns>The mean loss and the number of targets it covers.</returns>
    public static (Tensor Loss, long Count) Compute(Tensor predicted, Tensor targets, Tensor levels)
    {
        using var scope = torch.NewDisposeScope();
        Tensor valid = targets.isnan().logical_not();
        long count = valid.sum().item<long>();
        Tensor filled = targets.nan_to_num(0).unsqueeze(-1);
        // No operator with a .NET number here: those make temporary scalars a collection can free mid-call (PinnedScalars).
        Tensor error = filled.add(predicted, PinnedScalars.MinusOne);
        Tensor loss = torch.maximum(levels * error, levels.sub(PinnedScalars.One) * error);
        Tensor masked = loss * valid.unsqueeze(-1).to_type(ScalarType.Float32);
        using Scalar cells = ((double)Math.Max(count * levels.shape[0], 1)).ToScalar();
        Tensor mean = masked.sum().div(cells);
        return (mean.MoveToOuterDisposeScope(), count);
    }
}
