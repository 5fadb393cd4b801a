using Sidecar.Host;

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
