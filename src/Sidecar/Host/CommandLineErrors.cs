using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Sidecar.Host;

/// <summary>
/// A failed parse, told to a person: an unknown flag or command with the nearest valid one ("did you mean"),
/// otherwise the parser's own errors; then where the usage is. The parser's typo hints don't cover
/// <c>--flag=value</c>, which is how Prometheus' flags are mostly written, so the nearest names are found here.
/// </summary>
internal static class CommandLineErrors
{
    /// <summary>
    /// Whether the arguments are wrong: the parser found errors, or a command with FILE arguments took an
    /// unknown flag for a file name (it does so rather than call the flag unknown; before <c>--</c> that is never meant).
    /// </summary>
    public static bool Any(ParseResult result) =>
        result.Action is ParseErrorAction || (result.Action == result.CommandResult.Command.Action && FlagsTakenAsArguments(result).Any());

    /// <returns>Lines prefixed with the command, e.g. <c>prometheus-forecast-sidecar: unknown flag --web.listen-adress; did you mean --web.listen-address?</c></returns>
    public static string Describe(ParseResult result)
    {
        Command command = result.CommandResult.Command;
        // Unmatched arguments come first: they are usually the cause, and the parser's errors about them add nothing.
        var unknownFlags = result.UnmatchedTokens.Where(token => token.StartsWith('-')).Concat(FlagsTakenAsArguments(result)).ToList();
        IEnumerable<string> problems = unknownFlags.Count > 0 ? unknownFlags.Select(flag => UnknownFlag(flag, result.CommandResult))
            : result.UnmatchedTokens.Count > 0 ? [UnexpectedArgument(result.UnmatchedTokens[0], result)]
            : command.Action is null && command.Subcommands.Count > 0 ? [$"name one of its commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))}"]
            : result.Errors.Select(error => error.Message).Distinct();
        string name = CommandPath(result.CommandResult);
        return string.Join('\n', problems.Select(problem => $"{name}: {problem}")) + $"\nSee '{name} --help'.";
    }

    private static IEnumerable<string> FlagsTakenAsArguments(ParseResult result) =>
        result.Tokens.Any(token => token.Type == TokenType.DoubleDash)
            ? []
            : result.CommandResult.Children.OfType<ArgumentResult>().SelectMany(argument => argument.Tokens)
                .Select(token => token.Value).Where(value => value.Length > 1 && value[0] == '-');

    private static string UnknownFlag(string token, CommandResult where)
    {
        string flag = token.Split('=', 2)[0];
        var names = OptionsValidAt(where).SelectMany(option => option.Aliases.Prepend(option.Name)).Where(name => name.StartsWith("--", StringComparison.Ordinal));
        string? closest = ClosestName.Find(flag, names);
        return $"unknown flag {flag}" + (closest is null ? "" : $"; did you mean {closest}?");
    }

    private static string UnexpectedArgument(string token, ParseResult result)
    {
        // --web.enable-lifecycle=yes: a switch takes only true or false, so 'yes' was left over.
        int at = result.Tokens.ToList().FindIndex(t => t.Type == TokenType.Argument && t.Value == token);
        if (at > 0 && result.Tokens[at - 1] is { Type: TokenType.Option } flag
            && OptionsValidAt(result.CommandResult).Any(option => option is Option<bool> && option.Name == flag.Value))
            return $"{flag.Value} '{token}' is not true or false";
        string? closest = ClosestName.Find(token, result.CommandResult.Command.Subcommands.Select(subcommand => subcommand.Name));
        return closest is null ? $"unexpected argument '{token}'" : $"unknown command '{token}'; did you mean '{closest}'?";
    }

    /// <summary>The command's own options and those it inherits from its parents (--help).</summary>
    private static List<Option> OptionsValidAt(CommandResult where)
    {
        var options = new List<Option>(where.Command.Options);
        for (var parent = where.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
            options.AddRange(parent.Command.Options.Where(option => option.Recursive));
        return options;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is CommandResult command; at = command.Parent)
            names.Add(command.Parent is null ? CommandLineDefinition.ProgramName : command.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
