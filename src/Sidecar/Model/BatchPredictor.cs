using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// Runs one forward call for a whole batch of series: at batch 1 an LSTM step costs hundreds of times
/// more per series than at batch 1,024, so inference is never done one series at a time.
/// </summary>
internal static class BatchPredictor
{
    /// <param name="inputs">Scaled windows, row-major <c>[batch, window]</c>.</param>
    /// <param name="outputs">Receives <c>[batch, heads]</c> scaled changes from each window's last value.</param>
    public static void Predict(TrainedModel model, float[] inputs, int batch, int window, Span<float> outputs)
    {
        using var scope = torch.NewDisposeScope();
        using var inference = torch.inference_mode();
        Tensor x = torch.tensor(inputs, [batch, window, 1]);
        Tensor y = model.Network.call(x);
        y.data<float>().CopyTo(outputs);
    }
}
