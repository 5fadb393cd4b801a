using System.CommandLine;
using System.CommandLine.Parsing;

namespace Sidecar.Host;

/// <summary>
/// A flag with a value, given as <c>--name=VALUE</c> or <c>--name VALUE</c> like Prometheus' flags. Given more
/// than once, the last one counts, as in Prometheus: flags appended to the image's ENTRYPOINT override it.
/// The default is kept as the text a user would write, so <c>--help</c> shows it that way; the value is
/// converted while parsing, so a bad one is a usage error before anything starts.
/// </summary>
/// <typeparam name="T">The converted value; a nullable type for a flag without a default, which reads as null when absent.</typeparam>
internal sealed class ValueFlag<T>
{
    private readonly Func<string, T> _convert;

    /// <param name="valueName">The placeholder in <c>--help</c>: <c>--storage.path &lt;DIR&gt;</c>.</param>
    /// <param name="defaultText">The value when the flag is absent, as it would be typed; null for none.</param>
    /// <param name="convert">Text to value, throwing <see cref="FormatException"/> that says what is wrong (see <see cref="FlagValues"/>).</param>
    public ValueFlag(string name, string valueName, string description, string? defaultText, Func<string, T> convert)
    {
        _convert = convert;
        Option = new Option<string>(name)
        {
            Description = description,
            HelpName = valueName,
            // Any number of occurrences; the parser still takes at most one value per occurrence.
            Arity = ArgumentArity.ZeroOrMore,
            CustomParser = result => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value,
        };
        if (defaultText is not null)
            Option.DefaultValueFactory = _ => defaultText;
        Option.Validators.Add(Validate);
    }

    public Option<string> Option { get; }

    public T Read(ParseResult result) => result.GetValue(Option) is { } text ? _convert(text) : default!;

    private void Validate(OptionResult result)
    {
        // Fewer values than occurrences: one was given without a value (--config.file at the end, or --config.file=).
        if (result.Tokens.Count < result.IdentifierTokenCount)
        {
            result.AddError($"{Option.Name} needs a value");
            return;
        }
        if (result.Tokens.Count == 0)
            return;
        try
        {
            _convert(result.Tokens[^1].Value);
        }
        catch (FormatException e)
        {
            result.AddError($"{Option.Name} {e.Message}");
        }
    }
}
