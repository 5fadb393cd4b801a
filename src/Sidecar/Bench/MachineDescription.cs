using System.Runtime.Intrinsics.X86;

namespace Sidecar.Bench;

/// <summary>
/// The machine a benchmark ran on, printed first by every bench: speed figures depend on the CPU's
/// generation and vector width (libtorch picks its kernels by it), so a figure without its CPU says little.
/// </summary>
internal static class MachineDescription
{
    /// <summary>One line: CPU model and generation, the widest x86 vector extension .NET sees, and the core count.</summary>
    public static string Line()
    {
        string generation = CpuGeneration();
        return $"machine: cpu=\"{CpuModel()}\" {(generation.Length > 0 ? generation + " " : "")}simd={SimdLevel()} cores={Environment.ProcessorCount} os=\"{System.Runtime.InteropServices.RuntimeInformation.OSDescription}\"";
    }

    /// <summary>
    /// The x86 CPU's family, model and stepping as its vendor numbers them (e.g. <c>family=26 model=2
    /// stepping=1</c>, an AMD Zen 5); empty elsewhere.
    /// </summary>
    /// <remarks>
    /// A virtual machine may name its CPU only "AMD EPYC" whatever the host's generation: the project's benches
    /// met two hosts under that name whose forward passes differ by 1.7× (docs/performance.md), the second a
    /// Zen 5 (family 26), the first's generation never recorded. CPUID reports it under any hypervisor.
    /// </remarks>
    public static string CpuGeneration() =>
        X86Base.IsSupported ? Generation(X86Base.CpuId(1, 0).Eax) : "";

    /// <summary>Family, model and stepping from CPUID leaf 1's EAX, with the extended fields folded in as the vendors define.</summary>
    internal static string Generation(int signature)
    {
        int stepping = signature & 0xF, model = (signature >> 4) & 0xF, family = (signature >> 8) & 0xF;
        int extendedModel = (signature >> 16) & 0xF, extendedFamily = (signature >> 20) & 0xFF;
        // The extended family counts only past family 15; the extended model, for families 6 and 15 (and past).
        int displayFamily = family == 0xF ? family + extendedFamily : family;
        int displayModel = family is 0x6 or 0xF ? (extendedModel << 4) + model : model;
        return $"family={displayFamily} model={displayModel} stepping={stepping}";
    }

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
