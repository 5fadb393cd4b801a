using System.Diagnostics;
using Sidecar.Host;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// Trains a target's network with Adam and MSE (the seed tutorial's defaults), early-stopped on the
/// validation loss with patience, keeping the best weights. Runs synchronously on the caller's thread;
/// every tensor lives in a dispose scope that never spans an await.
/// </summary>
internal static class Trainer
{
    public static (TrainedModel Model, TrainingReport Report) Train(TrainingSet data, ModelSettings settings, CancellationToken cancellation)
    {
        if (data.TrainCount == 0 || data.ValidationCount == 0)
            throw new InvalidOperationException($"training needs examples in both parts (train {data.TrainCount}, validation {data.ValidationCount})");
        var clock = Stopwatch.StartNew();
        torch.manual_seed(settings.Seed);
        var random = new Random(settings.Seed);
        int heads = data.HeadSteps.Count;
        var network = new LstmNetwork(settings.HiddenSize, settings.Layers, heads);
        try
        {
            float[] trainInputs = data.TrainInputs, trainTargets = data.TrainTargets;
            float[] validInputs = data.ValidationInputs, validTargets = data.ValidationTargets;
            using var optimizer = torch.optim.Adam(network.parameters(), settings.LearningRate);
            double best = double.PositiveInfinity, lastTrainLoss = double.NaN;
            Dictionary<string, Tensor>? bestWeights = null;
            int sinceBest = 0, epochs = 0;
            int[] order = Enumerable.Range(0, data.TrainCount).ToArray();
            var batchInputs = new float[settings.BatchSize * data.Window];
            var batchTargets = new float[settings.BatchSize * heads];
            for (int epoch = 0; epoch < settings.MaxEpochs && sinceBest < settings.Patience; epoch++)
            {
                cancellation.ThrowIfCancellationRequested();
                epochs++;
                random.Shuffle(order);
                int examples = Math.Min(order.Length, settings.MaxSamplesPerEpoch);
                double lossSum = 0;
                int batches = 0;
                network.train();
                for (int offset = 0; offset < examples; offset += settings.BatchSize)
                {
                    int count = Math.Min(settings.BatchSize, examples - offset);
                    for (int b = 0; b < count; b++)
                    {
                        int example = order[offset + b];
                        Array.Copy(trainInputs, example * data.Window, batchInputs, b * data.Window, data.Window);
                        Array.Copy(trainTargets, example * heads, batchTargets, b * heads, heads);
                    }
                    using var scope = torch.NewDisposeScope();
                    Tensor x = torch.tensor(batchInputs.AsSpan(0, count * data.Window).ToArray(), [count, data.Window, 1]);
                    Tensor y = torch.tensor(batchTargets.AsSpan(0, count * heads).ToArray(), [count, heads]);
                    optimizer.zero_grad();
                    Tensor loss = nn.functional.mse_loss(network.call(x), y);
                    loss.backward();
                    optimizer.step();
                    lossSum += loss.item<float>();
                    batches++;
                }
                lastTrainLoss = lossSum / Math.Max(batches, 1);
                double validation = Evaluate(network, validInputs, validTargets, data.Window, heads);
                if (validation < best)
                {
                    best = validation;
                    sinceBest = 0;
                    DisposeAll(bestWeights);
                    bestWeights = CopyWeights(network);
                }
                else
                {
                    sinceBest++;
                }
            }
            if (bestWeights is not null)
            {
                network.load_state_dict(bestWeights);
                DisposeAll(bestWeights);
            }
            network.eval();
            var model = new TrainedModel(network, data.HeadSteps, data.Scalers, best, DateTimeOffset.UtcNow);
            return (model, new TrainingReport(data.TrainCount, epochs, lastTrainLoss, best, clock.Elapsed));
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Mean squared error over a set of examples, in evaluation mode and without autograd.</summary>
    public static double Evaluate(LstmNetwork network, float[] inputs, float[] targets, int window, int heads)
    {
        network.eval();
        int count = inputs.Length / window;
        const int Chunk = 2048;
        double sum = 0;
        using var noGrad = torch.no_grad();
        for (int offset = 0; offset < count; offset += Chunk)
        {
            int n = Math.Min(Chunk, count - offset);
            using var scope = torch.NewDisposeScope();
            Tensor x = torch.tensor(inputs.AsSpan(offset * window, n * window).ToArray(), [n, window, 1]);
            Tensor y = torch.tensor(targets.AsSpan(offset * heads, n * heads).ToArray(), [n, heads]);
            sum += nn.functional.mse_loss(network.call(x), y).item<float>() * n;
        }
        return sum / count;
    }

    private static Dictionary<string, Tensor> CopyWeights(LstmNetwork network)
    {
        var copy = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in network.state_dict())
            copy[name] = tensor.detach().clone().MoveToOuterDisposeScope();
        return copy;
    }

    private static void DisposeAll(Dictionary<string, Tensor>? weights)
    {
        if (weights is null)
            return;
        foreach (var tensor in weights.Values)
            tensor.Dispose();
    }
}
