using System.Runtime.Intrinsics.X86;
using Sidecar.Bench;

namespace Sidecar.Tests.Bench;

public sealed class MachineDescriptionTests
{
    [Fact]
    public void NamesTheCpuAndTheWidestVectorExtensionItHas()
    {
        string line = MachineDescription.Line();
        Assert.StartsWith("machine: cpu=\"", line);
        Assert.False(string.IsNullOrWhiteSpace(MachineDescription.CpuModel()));
        string level = MachineDescription.SimdLevel();
        Assert.Contains($"simd={level} ", line);
        Assert.Contains(level, new[] { "AVX-512F", "AVX2", "AVX", "SSE4.2", "none" });
        Assert.Equal(Avx2.IsSupported, level is "AVX2" or "AVX-512F");
        Assert.Equal(Avx512F.IsSupported, level == "AVX-512F");
        Assert.Contains($"cores={Environment.ProcessorCount}", line);
    }
}
