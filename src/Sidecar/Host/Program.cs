using Sidecar.Bench;
using Sidecar.Host;

if (args is ["bench", "remote-write", .. var benchArgs])
    return await RemoteWriteLoad.RunAsync(benchArgs);

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
await app.RunAsync();
return 0;
