using Sidecar.Host;

return await new CommandLineDefinition().InvokeAsync(args, Console.Out, Console.Error);
