using System.CommandLine;
using System.CommandLine.Help;
using Sidecar.Backtest;
using Sidecar.Bench;

namespace Sidecar.Host;

/// <summary>
/// The program's one command line: the sidecar's own Prometheus-style flags at the root, the subcommands
/// <c>backtest</c>, <c>bench NAME</c> and <c>check config FILE</c>, <c>--help</c> on each and <c>--version</c>.
/// A usage error is told on standard error (<see cref="CommandLineErrors"/>) and exits 1 for the sidecar
/// itself, as Prometheus does, and 2 for a subcommand, whose 1 means its own failure (a config that fails
/// the check, a file that could not be replayed).
/// </summary>
internal sealed class CommandLineDefinition
{
    public const string ProgramName = "prometheus-forecast-sidecar";

    // No response files (@file) and no bundling of one-letter flags: neither exists in Prometheus' flags, and
    // a backtest file name may start with @.
    private static readonly ParserConfiguration Parsing = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    private readonly ServeCommand _serve = new();
    private readonly BacktestCommandLine _backtest = new();

    public CommandLineDefinition()
    {
        Root = new RootCommand("Forecasts and anomaly scores for Prometheus series: takes remote-write (or polls PromQL), trains an LSTM per target "
            + "and serves forecasts, intervals and anomaly scores as metrics. Without a command it runs the sidecar.")
        {
            HelpName = ProgramName,
        };
        // Prometheus' -h and --help, not also Windows' /h and /?, which could be file names here.
        Root.Options.Remove(Root.Options.OfType<HelpOption>().Single());
        Root.Options.Add(new HelpOption("--help", "-h") { Recursive = true });
        Root.Options.OfType<VersionOption>().Single().Action = new VersionAction();
        // Directives such as [suggest] would take a leading bracketed word from the arguments; none is used here.
        Root.Directives.Clear();
        foreach (Option option in _serve.Options)
            Root.Options.Add(option);
        Root.Subcommands.Add(_backtest.Create());
        Root.Subcommands.Add(BenchCommands.Create());
        Root.Subcommands.Add(CheckConfigCommand.Create());
        Root.SetAction((result, _) => ServeCommand.RunAsync(_serve.Read(result), result.InvocationConfiguration.Error));
    }

    public RootCommand Root { get; }

    public ParseResult Parse(IReadOnlyList<string> args) => Root.Parse(args, Parsing);

    /// <returns>The exit code: the command's own, or for a usage error 1 (the sidecar) or 2 (a subcommand).</returns>
    public async Task<int> InvokeAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        ParseResult result = Parse(args);
        if (CommandLineErrors.Any(result))
        {
            await error.WriteLineAsync(CommandLineErrors.Describe(result));
            return result.CommandResult.Command == Root ? 1 : 2;
        }
        return await result.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            // The host stops gracefully on SIGTERM by itself, within --shutdown.timeout; the parser's own
            // handling would cancel it and exit after two seconds, before the final snapshot.
            ProcessTerminationTimeout = null,
            // An unexpected exception crashes with its stack trace, as it did before this parser.
            EnableDefaultExceptionHandler = false,
        });
    }

    /// <summary>The sidecar's flags that these arguments give, without running anything.</summary>
    /// <exception cref="ConfigException">A usage error, or arguments that name a command.</exception>
    public ServeFlags ParseServeFlags(IReadOnlyList<string> args) => _serve.Read(ParseFor(Root, args));

    /// <summary>What <c>backtest</c> with these arguments (those after the word backtest) would replay, without replaying it.</summary>
    /// <exception cref="ConfigException">A usage error.</exception>
    public BacktestOptions ParseBacktestOptions(IReadOnlyList<string> args) =>
        _backtest.Read(ParseFor(Root.Subcommands.Single(command => command.Name == "backtest"), ["backtest", .. args]));

    private ParseResult ParseFor(Command expected, IReadOnlyList<string> args)
    {
        ParseResult result = Parse(args);
        if (CommandLineErrors.Any(result))
            throw new ConfigException(CommandLineErrors.Describe(result));
        if (result.CommandResult.Command != expected)
            throw new ConfigException($"{ProgramName}: the arguments run the command '{result.CommandResult.Command.Name}' instead");
        return result;
    }
}
