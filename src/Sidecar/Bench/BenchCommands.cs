using System.CommandLine;
using Sidecar.Host;

namespace Sidecar.Bench;

/// <summary>
/// <c>bench NAME</c>: the program's own benchmarks, one subcommand each with its flags. Every bench prints
/// the machine first: its figures depend on the CPU.
/// </summary>
internal static class BenchCommands
{
    public static Command Create() => new("bench", "Measure this machine: throughput, memory and training benchmarks of the sidecar's own code")
    {
        FirehoseCommand(), StoreMemoryCommand(), StoreRestoreCommand(), InferenceCommand(), TrainingCommand(), ChurnCommand(), RemoteWriteCommand(),
    };

    private static Command FirehoseCommand()
    {
        var series = new ValueFlag<int>("--series", "N", "active node_exporter series, one sample each per 15 s scrape", "1000000", FlagValues.PositiveInteger);
        var command = new Command("firehose", "CPU share of one core that remote-write ingest of a large fleet costs, 1% of it selected") { series.Option };
        command.SetAction(result => OnThisMachine(() => Firehose.Run(series.Read(result))));
        return command;
    }

    private static Command StoreMemoryCommand()
    {
        var series = new ValueFlag<int>("--series", "N", "node_exporter-like series, a week of history each", "1000", FlagValues.PositiveInteger);
        var command = new Command("store-memory", "Memory per stored point and per series, and with the pipeline serving the store; snapshot, restore and scoring-state times") { series.Option };
        command.SetAction(result => OnThisMachine(() => StoreMemory.Run(series.Read(result))));
        return command;
    }

    // Run by store-memory in a process of its own; hidden, since its snapshot must be one store-memory wrote.
    private static Command StoreRestoreCommand()
    {
        var directory = new ValueFlag<string>("--dir", "DIR", "a directory holding a snapshot bench store-memory wrote", null, text => text);
        directory.Option.Required = true;
        var now = new ValueFlag<long>("--now-ms", "MS", "the time the store restores at, in Unix milliseconds", null, FlagValues.UnixMilliseconds);
        now.Option.Required = true;
        var command = new Command("store-restore", "Peak RSS of restoring a store-memory snapshot in a process of its own") { directory.Option, now.Option };
        command.Hidden = true;
        command.SetAction(result => RestorePeak.Run(directory.Read(result), now.Read(result)));
        return command;
    }

    private static Command InferenceCommand()
    {
        var series = new ValueFlag<int>("--series", "N", "series stepped together, one batch", "1024", FlagValues.PositiveInteger);
        var flushCaches = SwitchFlag.Create("--flush-caches", "flush the processor's caches before each pipeline step and each forward timed beside it, as the minute between steps in production may");
        var command = new Command("inference", "Series-steps per second of streaming inference on one libtorch thread") { series.Option, flushCaches };
        command.SetAction(result => OnThisMachine(() => InferenceSpeed.Run(series.Read(result), result.GetValue(flushCaches))));
        return command;
    }

    private static Command TrainingCommand()
    {
        var series = new ValueFlag<int>("--series", "N", "series of the target", "1000", FlagValues.PositiveInteger);
        var threads = new ValueFlag<int>("--threads", "N", "libtorch threads (compute.training_threads, 1 by default and in the Kubernetes manifest)", "1", FlagValues.PositiveInteger);
        var days = new ValueFlag<int>("--days", "N", "days of 1m history per series", "14", FlagValues.PositiveInteger);
        var command = new Command("training", "Time to train the default network to early stop, against libtorch's raw forward and backward")
        {
            series.Option, threads.Option, days.Option,
        };
        command.SetAction(result => OnThisMachine(() => TrainingSpeed.Run(series.Read(result), threads.Read(result), days.Read(result))));
        return command;
    }

    private static Command ChurnCommand()
    {
        var pods = new ValueFlag<int>("--pods", "N", "pods of the fleet, one series each", "1000", FlagValues.PositiveInteger);
        var generations = new ValueFlag<int>("--generations", "N", "redeploys, each replacing every pod", "16", FlagValues.PositiveInteger);
        var generationHours = new ValueFlag<int>("--generation-hours", "N", "simulated hours between redeploys", "6", FlagValues.PositiveInteger);
        var command = new Command("churn", "Series held, memory and snapshot size of a fleet that redeploys, with forgetting and without")
        {
            pods.Option, generations.Option, generationHours.Option,
        };
        command.SetAction(result => OnThisMachine(() => SeriesChurn.Run(pods.Read(result), generations.Read(result), generationHours.Read(result))));
        return command;
    }

    private static Command RemoteWriteCommand()
    {
        var url = new ValueFlag<Uri?>("--url", "URL", "the receiver's remote-write URL, on this machine, e.g. http://127.0.0.1:9201/api/v1/write", null, RemoteWriteLoad.LoopbackUrl);
        url.Option.Required = true;
        var pid = new ValueFlag<int?>("--pid", "PID", "the receiver's process, to report samples per CPU-second it spent [default: none]", null, text => FlagValues.PositiveInteger(text));
        var concurrency = new ValueFlag<int>("--concurrency", "N", "requests in flight at once", "4", FlagValues.PositiveInteger);
        var duration = new ValueFlag<TimeSpan>("--duration", "DURATION", "how long to send", "20s", FlagValues.PositiveDuration);
        var series = new ValueFlag<int>("--series", "N", "series per request", "2000", FlagValues.PositiveInteger);
        var samplesPerSeries = new ValueFlag<int>("--samples-per-series", "N", "samples per series per request", "1", FlagValues.PositiveInteger);
        var protocol = new ValueFlag<string>("--protocol", "VERSION", "remote-write protocol: 1.0 or 2.0", "1.0", FlagValues.OneOf("1.0", "2.0"));
        var firstHost = new ValueFlag<int>("--first-host", "N", "number of the first host written, so that a run can write series no other run writes", "0", FlagValues.NonNegativeInteger);
        var startMs = new ValueFlag<long?>("--start-ms", "MS", "the first sample's time in Unix milliseconds; a run writing the hosts of an earlier run starts after the last_timestamp_ms it printed [default: a day ago]", null,
            text => FlagValues.UnixMilliseconds(text));
        var command = new Command("remote-write", "Samples per second a remote-write receiver on this machine accepts under load")
        {
            url.Option, pid.Option, concurrency.Option, duration.Option, series.Option, samplesPerSeries.Option, protocol.Option, firstHost.Option, startMs.Option,
        };
        command.SetAction(async result =>
        {
            Console.WriteLine(MachineDescription.Line());
            return await RemoteWriteLoad.RunAsync(url.Read(result)!, pid.Read(result), concurrency.Read(result), duration.Read(result),
                series.Read(result), samplesPerSeries.Read(result), v2: protocol.Read(result) == "2.0", firstHost.Read(result), startMs.Read(result));
        });
        return command;
    }

    private static int OnThisMachine(Func<int> bench)
    {
        Console.WriteLine(MachineDescription.Line());
        return bench();
    }
}
