using System.Diagnostics;
using System.Globalization;
using Sidecar.Host;
using Sidecar.Model;
using Sidecar.Model.Baselines;
using Sidecar.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench training</c>: trains the default network on a target of 1,000 series × 14 days at 1 m
/// (daily and weekly cycles, trend, noise, a few gaps) to early stop, with the default settings and
/// <c>--threads</c> libtorch threads (default 1, as <c>compute.training_threads</c>). The baseline, measured in the same run, is libtorch's
/// raw forward and backward on the same network over as many series-steps as one epoch runs, with the
/// input already in a tensor: the ratio is how much of the training time is the model itself. Then the
/// daily Holt-Winters fits of <c>model.combine: holt_winters</c> on a few of the same series, against the
/// training time.
/// </summary>
internal static class TrainingSpeed
{
    public static int Run(int seriesCount, int threads, int days)
    {
        torch.set_num_threads(threads);
        var settings = ConfigLoader.Load($"""
            demo:
              mode: off
            targets:
              - name: speed
                selector: 'bench_value'
                step: 1m
                horizons: [5m, 1h, 6h]
                history: {days}d
                model:
                  fit_window: {days}d
            """).Targets[0];
        int steps = days * 1440;
        var layout = new FeatureLayout(settings.Model.Features, settings.StepMs);
        var data = new SequenceSet(layout, ForecastHeads.StepsFor(settings), settings.Model.Window);
        var random = new Random(1);
        long firstStep = 1_700_000_000_000 / settings.StepMs;
        var fitted = new List<float[]>();
        for (int s = 0; s < seriesCount; s++)
        {
            var values = new float[steps];
            double level = 20 + random.NextDouble() * 60, amplitude = random.NextDouble() * 15, trend = (random.NextDouble() - 0.5) * 1e-3;
            for (int i = 0; i < steps; i++)
            {
                double day = Math.Sin(2 * Math.PI * i / 1440), week = Math.Sin(2 * Math.PI * i / (7 * 1440));
                values[i] = random.Next(500) == 0 ? float.NaN : (float)(level + amplitude * day + 3 * week + trend * i + random.NextDouble() * 2);
            }
            data.Add(new SeriesHistory("s" + s.ToString(CultureInfo.InvariantCulture), firstStep, values, 0, settings.Model.ValidationFraction));
            if (fitted.Count < CombineFits)
                fitted.Add(values);
        }

        double rawSeconds = RawEpoch(layout.Count, settings.Model, ForecastHeads.StepsFor(settings).Length);
        int epochsSeen = 0;
        var clock = Stopwatch.StartNew();
        var (model, report) = Trainer.Train(data, settings.Model, "bench", p =>
        {
            epochsSeen = p.Epoch;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {p.Epoch}: train {p.TrainLoss:G4} validation {p.ValidationLoss:G4} elapsed {p.Elapsed.TotalSeconds:F1}s"));
        }, CancellationToken.None);
        double seconds = clock.Elapsed.TotalSeconds;
        model.Dispose();
        var invariant = CultureInfo.InvariantCulture;
        double perEpoch = seconds / Math.Max(epochsSeen, 1);
        Console.WriteLine(string.Create(invariant, $"series={seriesCount} days={days} step=1m threads={threads} epochs={report.Epochs} (early stop: {report.Epochs < settings.Model.MaxEpochs}) validation_loss={report.ValidationLoss:G4}"));
        Console.WriteLine(string.Create(invariant, $"training_seconds={seconds:F1} per_epoch_seconds={perEpoch:F2} (goal: under 300 s to early stop)"));
        Console.WriteLine(string.Create(invariant, $"raw_forward_backward_epoch_seconds={rawSeconds:F2} (baseline) ratio_epoch_vs_raw={perEpoch / rawSeconds:F2}"));

        // model.combine: holt_winters fits each series once a day on its last 14 days, on this thread, with
        // an iteration cap; the converged fit of backtest's baseline is timed beside it, alternating.
        double perFit = MedianFitSeconds(fitted, steps, HoltWintersRefits.FitIterations, out double perConvergedFit);
        Console.WriteLine(string.Create(invariant,
            $"combine_holt_winters_fit_seconds={perFit:F3} (median of {fitted.Count} series, {Math.Min(days, 14)} days at 1m, {HoltWintersRefits.FitIterations} iterations) daily_fits_for_all_series_seconds={perFit * seriesCount:F0} ratio_to_training_seconds={perFit * seriesCount / seconds:F2}"));
        Console.WriteLine(string.Create(invariant,
            $"converged_holt_winters_fit_seconds={perConvergedFit:F3} ({HoltWintersFit.ConvergedIterations} iterations, backtest's baseline) ratio_capped_vs_converged={perFit / perConvergedFit:F2}"));
        return 0;
    }

    /// <summary>The median seconds of one capped fit, and of one converged fit, over the series, the two alternating.</summary>
    private static double MedianFitSeconds(List<float[]> series, int steps, int iterations, out double convergedSeconds)
    {
        var capped = new double[series.Count];
        var converged = new double[series.Count];
        for (int i = 0; i < series.Count; i++)
        {
            var window = series[i].AsSpan(Math.Max(0, steps - 14 * 1440));
            var clock = Stopwatch.StartNew();
            HoltWintersFit.Fit(window, 1440, iterations);
            capped[i] = clock.Elapsed.TotalSeconds;
            clock.Restart();
            HoltWintersFit.Fit(window, 1440, HoltWintersFit.ConvergedIterations);
            converged[i] = clock.Elapsed.TotalSeconds;
        }
        Array.Sort(capped);
        Array.Sort(converged);
        convergedSeconds = converged[converged.Length / 2];
        return capped[capped.Length / 2];
    }

    // Series whose Holt-Winters fit is timed for model.combine.
    private const int CombineFits = 9;

    /// <summary>Forward and backward over one epoch's budget of series-steps, in window-long chunks, nothing else.</summary>
    private static double RawEpoch(int features, ModelSettings settings, int heads)
    {
        torch.manual_seed(3);
        using var network = new LstmNetwork(features, settings.HiddenSize, settings.Layers, heads, settings.Quantiles.Count, 1);
        using var optimizer = torch.optim.Adam(network.parameters(), settings.LearningRate);
        int chunks = settings.MaxStepsPerEpoch / (settings.BatchSize * settings.Window);
        using var x = torch.rand(settings.BatchSize, settings.Window, features);
        using var y = torch.rand(settings.BatchSize, settings.Window, heads, settings.Quantiles.Count);
        Stopwatch clock = new();
        for (int i = -10; i < chunks; i++)
        {
            // The first calls pay libtorch's one-off set-up; they are not timed.
            if (i == 0)
                clock.Start();
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = nn.functional.mse_loss(network.call(x), y);
            loss.backward();
            optimizer.step();
        }
        return clock.Elapsed.TotalSeconds;
    }
}
