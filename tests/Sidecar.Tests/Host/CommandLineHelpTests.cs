using System.CommandLine;
using System.Text.RegularExpressions;
using Sidecar.Host;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Host;

/// <summary>Every command answers --help (and -h) with its usage and all of its flags, arguments and subcommands.</summary>
public sealed class CommandLineHelpTests
{
    [Theory]
    [InlineData("", "--config.file <PATH>|--web.listen-address <ADDR>|--grpc.listen-address <ADDR>|--web.config.file <PATH>|--storage.path <DIR>|--log.level <LEVEL>|--log.format <FORMAT>|--web.enable-lifecycle|--shutdown.timeout <DURATION>|--version|-h, --help|backtest|bench|check")]
    [InlineData("backtest", "--config <PATH>|--horizons <LIST>|--step <DURATION>|--seed <N>|--baseline-range <DURATION>|--output-dir <DIR>|--nab-results <DIR>|--nab-windows <PATH>|<FILE|DIR>")]
    [InlineData("bench", "firehose|store-memory|inference|training|churn|remote-write")]
    [InlineData("bench firehose", "--series <N>")]
    [InlineData("bench store-memory", "--series <N>")]
    [InlineData("bench inference", "--series <N>")]
    [InlineData("bench training", "--series <N>|--threads <N>|--days <N>")]
    [InlineData("bench churn", "--pods <N>|--generations <N>|--generation-hours <N>")]
    [InlineData("bench remote-write", "--url <URL>|--pid <PID>|--concurrency <N>|--duration <DURATION>|--series <N>|--samples-per-series <N>|--protocol <VERSION>|--first-host <N>|--start-ms <MS>")]
    [InlineData("check", "config")]
    [InlineData("check config", "<FILE>")]
    public async Task HelpNamesTheCommandsFlags(string command, string expected)
    {
        string[] words = command.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (string help in new[] { "--help", "-h" })
        {
            var (exitCode, output, error) = await CommandLineRun.InvokeAsync([.. words, help]);
            Assert.True(exitCode == 0, error);
            Assert.Contains($"Usage:\n  {string.Join(' ', ["prometheus-forecast-sidecar", .. words])} ", output);
            foreach (string item in expected.Split('|'))
                Assert.Contains(item, output);
        }
    }

    [Fact]
    public async Task HelpShowsEachDefaultAsItIsTyped()
    {
        var (_, output, _) = await CommandLineRun.InvokeAsync("--help");
        Assert.Contains("[default: 0.0.0.0:9201]", output);
        Assert.Contains("[default: data/]", output);
        Assert.Contains("[default: info]", output);
        Assert.Contains("[default: logfmt]", output);
        Assert.Contains("[default: 30s]", output);
    }

    [Fact]
    public void TheCommandLineDocumentNamesEveryCommandAndFlag()
    {
        string document = File.ReadAllText(RepositoryRoot.File("docs", "command-line.md"));
        var missing = new List<string>();
        void Visit(Command command)
        {
            foreach (Option option in command.Options.Where(option => option.Name != "--help" && !option.Hidden))
            {
                if (!Regex.IsMatch(document, $@"`{Regex.Escape(option.Name)}(?![\w.-])"))
                    missing.Add(option.Name);
            }
            foreach (Command subcommand in command.Subcommands)
            {
                if (!Regex.IsMatch(document, $@"`(\w+ )*{Regex.Escape(subcommand.Name)}[` ]"))
                    missing.Add(subcommand.Name);
                Visit(subcommand);
            }
        }
        Visit(new CommandLineDefinition().Root);
        Assert.True(missing.Count == 0, "docs/command-line.md does not mention " + string.Join(", ", missing));
    }
}
