using System.Diagnostics;
using Sidecar.Host;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Model;

/// <summary>
/// Trains a target's network with Adam on the pinball loss, by truncated back-propagation through time
/// over lanes of consecutive steps with carried state, early-stopped on the validation loss with
/// patience and keeping the best weights (the seed tutorial's EarlyStopping). Runs synchronously on the
/// caller's thread; every tensor lives in a dispose scope that never spans an await.
/// </summary>
internal static class Trainer
{
    // A lane scores this many windows after its one-window warm-up: long enough that the network learns
    // from carried state, short enough to shuffle well.
    private const int WindowsPerLane = 3;

    /// <summary>
    /// Why a run on <paramref name="data"/> can't succeed yet (no scored target in the training part, or
    /// none in the validation part, as when the newest fifth of the history is mostly a gap); null when it can.
    /// </summary>
    public static string? WhyCannotTrain(SequenceSet data, ModelSettings settings) =>
        WhyNot(data, data.TrainingLanes(WindowsPerLane * data.Window), Subsample(data.ValidationLanes(), settings.MaxStepsPerEpoch));

    private static string? WhyNot(SequenceSet data, List<Lane> trainLanes, List<Lane> validationLanes)
    {
        int trainTargets = data.CountTargets(trainLanes), validationTargets = data.CountTargets(validationLanes);
        if (trainTargets > 0 && validationTargets > 0)
            return null;
        return $"waiting for data: training needs observed targets in both parts ({trainTargets} in the training part, "
            + $"{validationTargets} in the validation part, over {data.Series.Count} series); gaps in the history leave too few";
    }

    public static (TrainedModel Model, TrainingReport Report) Train(
        SequenceSet data, ModelSettings settings, string configHash, Action<TrainingProgress>? progress, CancellationToken cancellation)
    {
        List<Lane> trainLanes = data.TrainingLanes(WindowsPerLane * data.Window);
        List<Lane> validationLanes = Subsample(data.ValidationLanes(), settings.MaxStepsPerEpoch);
        if (WhyNot(data, trainLanes, validationLanes) is { } reason)
            throw new InvalidOperationException(reason);

        var clock = Stopwatch.StartNew();
        var random = new Random(settings.Seed);
        int median = settings.Quantiles.ToList().IndexOf(0.5);
        var network = LstmNetwork.Seeded(settings.Seed, data.Layout.Count, settings.HiddenSize, settings.Layers, data.HeadSteps.Count, settings.Quantiles.Count, median);
        try
        {
            using Tensor levels = torch.tensor(settings.Quantiles.Select(q => (float)q).ToArray());
            using var optimizer = torch.optim.Adam(network.parameters(), settings.LearningRate);
            double best = double.PositiveInfinity, lastTrainLoss = double.NaN;
            Dictionary<string, Tensor>? bestWeights = null;
            int sinceBest = 0, epochs = 0, bestEpoch = 0;
            long trainSteps = 0;
            for (int epoch = 0; epoch < settings.MaxEpochs && sinceBest < settings.Patience; epoch++)
            {
                cancellation.ThrowIfCancellationRequested();
                epochs++;
                random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(trainLanes));
                var lanes = TakeBudget(trainLanes, settings.MaxStepsPerEpoch);
                network.train();
                double lossSum = 0;
                long lossCount = 0;
                for (int offset = 0; offset < lanes.Count; offset += settings.BatchSize)
                {
                    cancellation.ThrowIfCancellationRequested();
                    var batch = lanes.GetRange(offset, Math.Min(settings.BatchSize, lanes.Count - offset));
                    var (sum, count) = TrainBatch(network, optimizer, data, batch, levels);
                    lossSum += sum;
                    lossCount += count;
                }
                trainSteps += lanes.Sum(l => (long)l.Length);
                lastTrainLoss = lossSum / Math.Max(lossCount, 1);
                double validation = Evaluate(network, data, validationLanes, levels);
                if (validation < best)
                {
                    best = validation;
                    bestEpoch = epochs;
                    sinceBest = 0;
                    DisposeAll(bestWeights);
                    bestWeights = CopyWeights(network);
                }
                else
                {
                    sinceBest++;
                }
                progress?.Invoke(new TrainingProgress(epochs, settings.MaxEpochs, lastTrainLoss, validation, best, clock.Elapsed));
            }
            if (bestWeights is not null)
            {
                network.load_state_dict(bestWeights);
                DisposeAll(bestWeights);
            }
            network.eval();
            float[] intervalScales = IntervalCalibration.Fit(network, data, validationLanes, settings.Quantiles, median);
            var description = new ModelDescription(
                configHash,
                data.HeadSteps,
                settings.Quantiles,
                median,
                data.Series.ToDictionary(s => s.Key, s => s.Scaler),
                best,
                DateTimeOffset.UtcNow,
                data.Series.Min(s => s.FirstStep + s.FitStart),
                data.Series.Max(s => s.FirstStep + s.Values.Length - 1),
                bestEpoch,
                intervalScales);
            var report = new TrainingReport(data.Series.Count, trainSteps, epochs, lastTrainLoss, best, clock.Elapsed);
            return (new TrainedModel(network, description), report);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The validation loss <paramref name="network"/> gets on <paramref name="data"/>: what a freshly trained
    /// model reports, so the model in use can be judged on the same data before a new one replaces it.
    /// </summary>
    public static double ValidationLoss(LstmNetwork network, SequenceSet data, ModelSettings settings)
    {
        using Tensor levels = torch.tensor(settings.Quantiles.Select(q => (float)q).ToArray());
        return Evaluate(network, data, Subsample(data.ValidationLanes(), settings.MaxStepsPerEpoch), levels);
    }

    /// <summary>The mean pinball loss of <paramref name="network"/> over <paramref name="lanes"/>, without autograd.</summary>
    private static double Evaluate(LstmNetwork network, SequenceSet data, IReadOnlyList<Lane> lanes, Tensor levels)
    {
        double sum = 0;
        long count = 0;
        ValidationPass.Run(network, data, lanes, (output, targets, _) =>
        {
            var (loss, n) = PinballLoss.Compute(output, targets, levels);
            sum += loss.item<float>() * n;
            count += n;
        });
        return count == 0 ? double.NaN : sum / count;
    }

    private static (double Sum, long Count) TrainBatch(LstmNetwork network, optim.Optimizer optimizer, SequenceSet data, List<Lane> batch, Tensor levels)
    {
        int features = data.Layout.Count, heads = data.HeadSteps.Count, window = data.Window;
        int longest = batch.Max(l => l.Length);
        var anchors = new InputLevels[batch.Count];
        Array.Fill(anchors, InputLevels.Unknown);
        var inputs = new float[batch.Count * window * features];
        var targets = new float[batch.Count * window * heads];
        double sum = 0;
        long count = 0;
        Tensor? hidden = null, cell = null;
        try
        {
            for (int start = 0; start < longest; start += window)
            {
                int steps = Math.Min(window, longest - start);
                if (steps != window)
                {
                    inputs = new float[batch.Count * steps * features];
                    targets = new float[batch.Count * steps * heads];
                }
                data.FillChunk(batch, start, steps, inputs, targets, anchors);
                using var scope = torch.NewDisposeScope();
                Tensor x = torch.tensor(inputs, [batch.Count, steps, features]);
                Tensor y = torch.tensor(targets, [batch.Count, steps, heads]);
                var (output, h, c) = network.Forward(x, hidden, cell);
                hidden?.Dispose();
                cell?.Dispose();
                // Truncated back-propagation: the state flows into the next chunk, its gradient doesn't.
                hidden = h.detach().MoveToOuterDisposeScope();
                cell = c.detach().MoveToOuterDisposeScope();
                var (loss, n) = PinballLoss.Compute(output, y, levels);
                if (n == 0)
                    continue;
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                sum += loss.item<float>() * n;
                count += n;
            }
        }
        finally
        {
            hidden?.Dispose();
            cell?.Dispose();
        }
        return (sum, count);
    }

    private static List<Lane> TakeBudget(List<Lane> shuffled, int maxSteps)
    {
        var taken = new List<Lane>();
        long steps = 0;
        foreach (var lane in shuffled)
        {
            if (taken.Count > 0 && steps + lane.Length > maxSteps)
                break;
            taken.Add(lane);
            steps += lane.Length;
        }
        return taken;
    }

    // Validation must be the same every epoch, so a big target keeps an evenly spread, fixed subset.
    private static List<Lane> Subsample(List<Lane> lanes, int maxSteps)
    {
        long total = lanes.Sum(l => (long)l.Length);
        if (total <= maxSteps)
            return lanes;
        int every = (int)Math.Ceiling(total / (double)maxSteps);
        return lanes.Where((_, i) => i % every == 0).ToList();
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
