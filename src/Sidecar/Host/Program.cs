using Sidecar.Backtest;
using Sidecar.Bench;
using Sidecar.Host;

// Every bench names the machine first: its figures depend on the CPU.
if (args is ["bench", ..])
    Console.WriteLine(MachineDescription.Line());
if (args is ["bench", "remote-write", .. var benchArgs])
    return await RemoteWriteLoad.RunAsync(benchArgs);
if (args is ["bench", "store-memory", .. var memoryArgs])
    return StoreMemory.Run(memoryArgs);
if (args is ["bench", "firehose", .. var firehoseArgs])
    return Firehose.Run(firehoseArgs);
if (args is ["bench", "inference", .. var inferenceArgs])
    return InferenceSpeed.Run(inferenceArgs);
if (args is ["bench", "churn", .. var churnArgs])
    return SeriesChurn.Run(churnArgs);
if (args is ["bench", "training", .. var trainingArgs])
    return TrainingSpeed.Run(trainingArgs);
if (args is ["backtest", .. var backtestArgs])
    return BacktestCommand.Run(backtestArgs);

WebApplication app;
try
{
    app = SidecarHost.Build(args);
}
catch (ConfigException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
try
{
    await app.RunAsync();
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // A taken port is a setup error like a bad flag: say which address, exit 1, no stack trace.
    Console.Error.WriteLine($"{e.Message} Another process listens there: stop it, or choose another --web.listen-address (or --grpc.listen-address).");
    return 1;
}
return 0;
