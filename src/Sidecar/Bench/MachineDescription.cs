using System.Runtime.Intrinsics.X86;

namespace Sidecar.Bench;

/// <summary>
/// The machine a benchmark ran on, printed first by every bench: speed figures depend on the CPU's
/// generation and vector width (libtorch picks its kernels by it), so a figure without its CPU says little.
/// </summary>
internal static class MachineDescription
{
    /// <summary>One line: CPU model, the widest x86 vector extension .NET sees, and the core count.</summary>
    public static string Line() => $"machine: cpu=\"{CpuModel()}\" simd={SimdLevel()} cores={Environment.ProcessorCount} os=\"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}\"";

    /// <summary>The widest vector extension of this CPU that .NET can use: AVX-512F, AVX2, AVX, SSE4.2, or none.</summary>
    public static string SimdLevel() =>
        Avx512F.IsSupported ? "AVX-512F" : Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : Sse42.IsSupported ? "SSE4.2" : "none";

    /// <summary>The "model name" of /proc/cpuinfo, or the architecture where there is none.</summary>
    public static string CpuModel()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                    return line[(colon + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }
}
