using System.Reflection;
using System.Runtime.InteropServices;
using Sidecar.Bench;
using TorchSharp;

namespace Sidecar.Host;

/// <summary>
/// What <c>--version</c> prints: the product version and the git commit it was built from, the TorchSharp and
/// libtorch versions, and the CPU's vector extension (libtorch picks its kernels by it), so that a bug
/// report or a benchmark figure says what it ran on.
/// </summary>
internal static class VersionInfo
{
    // TorchSharp states the libtorch version it binds; reading it runs TorchSharp's initialisation, which loads
    // libtorch, so it throws where libtorch can't load rather than naming a library that isn't there.
    public static string Text() => Text(() => torch.__version__);

    /// <param name="libtorchVersion">Asks the loaded libtorch; it may throw when the native library can't be loaded.</param>
    public static string Text(Func<string> libtorchVersion)
    {
        // The SDK appends the commit to the informational version ("1.0.0+<sha>") when it builds from a git checkout.
        string informational = typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        string[] parts = informational.Split('+', 2);
        string revision = parts.Length == 2 ? parts[1] : "unknown";
        string torchSharp = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";
        return $"""
            {CommandLineDefinition.ProgramName}, version {parts[0]} (revision: {revision})
              torchsharp version:  {torchSharp}
              libtorch version:    {Quietly(libtorchVersion)}
              cpu simd:            {MachineDescription.SimdLevel()}
              .net version:        {Environment.Version}
              platform:            {RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant()} {RuntimeInformation.OSDescription}

            """;
    }

    /// <summary>libtorch's version, or "unavailable" when its native library doesn't load (missing, or needing a newer libstdc++).</summary>
    private static string Quietly(Func<string> libtorchVersion)
    {
        // A failed load prints TorchSharp's whole search trace on standard output; --version prints its own lines only.
        TextWriter output = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return libtorchVersion();
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or NotSupportedException)
        {
            return "unavailable";
        }
        finally
        {
            Console.SetOut(output);
        }
    }
}
