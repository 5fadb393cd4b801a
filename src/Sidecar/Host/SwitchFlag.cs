using System.CommandLine;

namespace Sidecar.Host;

/// <summary>
/// A boolean flag as Prometheus has them: on when given alone (<c>--web.enable-lifecycle</c>), or set with
/// <c>=true</c> and <c>=false</c>; the last occurrence counts. The parser gives it only values that are true
/// or false; any other is left over, and <see cref="CommandLineErrors"/> names the flag it was meant for.
/// </summary>
internal static class SwitchFlag
{
    public static Option<bool> Create(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
        CustomParser = result => result.Tokens.Count == 0 || bool.Parse(result.Tokens[^1].Value),
    };
}
