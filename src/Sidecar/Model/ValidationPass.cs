using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// Runs a network over lanes without autograd, as serving would: each lane from a zero state, its
/// state carried from chunk to chunk. Hands every chunk's outputs and targets to the caller.
/// </summary>
internal static class ValidationPass
{
    private const int LanesPerBatch = 256, StepsPerChunk = 512;

    /// <param name="chunk">Receives the outputs <c>[lanes, steps, heads, quantiles]</c>, the targets as a
    /// tensor <c>[lanes, steps, heads]</c> and as an array in the same order (NaN where there is no target).</param>
    public static void Run(LstmNetwork network, SequenceSet data, IReadOnlyList<Lane> lanes, Action<Tensor, Tensor, float[]> chunk)
    {
        network.eval();
        int features = data.Layout.Count, heads = data.HeadSteps.Count;
        for (int offset = 0; offset < lanes.Count; offset += LanesPerBatch)
        {
            var batch = lanes.Skip(offset).Take(LanesPerBatch).ToList();
            int longest = batch.Max(l => l.Length);
            var anchors = new InputLevels[batch.Count];
            Array.Fill(anchors, InputLevels.Unknown);
            Tensor? hidden = null, cell = null;
            try
            {
                for (int start = 0; start < longest; start += StepsPerChunk)
                {
                    int steps = Math.Min(StepsPerChunk, longest - start);
                    var inputs = new float[batch.Count * steps * features];
                    var targets = new float[batch.Count * steps * heads];
                    data.FillChunk(batch, start, steps, inputs, targets, anchors);
                    using var scope = torch.NewDisposeScope();
                    Tensor x = torch.tensor(inputs, [batch.Count, steps, features]);
                    Tensor y = torch.tensor(targets, [batch.Count, steps, heads]);
                    var (output, h, c) = network.Infer(x, hidden, cell);
                    hidden?.Dispose();
                    cell?.Dispose();
                    hidden = h.MoveToOuterDisposeScope();
                    cell = c.MoveToOuterDisposeScope();
                    chunk(output, y, targets);
                }
            }
            finally
            {
                hidden?.Dispose();
                cell?.Dispose();
            }
        }
    }
}
