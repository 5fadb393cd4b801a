using System.CommandLine;
using System.CommandLine.Invocation;

namespace Sidecar.Host;

/// <summary>
/// <c>--version</c>: prints <see cref="VersionInfo"/>. It also answers beside other flags, so that
/// <c>docker run IMAGE --version</c> works although the image's ENTRYPOINT passes <c>--storage.path</c>.
/// </summary>
internal sealed class VersionAction : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.Write(VersionInfo.Text());
        return 0;
    }
}
