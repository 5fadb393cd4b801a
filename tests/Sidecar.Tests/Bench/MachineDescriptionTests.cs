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

    [Theory]
    [InlineData(0x00B00F21, "family=26 model=2 stepping=1")] // AMD Zen 5 (EPYC 9005)
    [InlineData(0x00A10F11, "family=25 model=17 stepping=1")] // AMD Zen 4 (EPYC 9004)
    [InlineData(0x00830F10, "family=23 model=49 stepping=0")] // AMD Zen 2 (EPYC 7002)
    [InlineData(0x00050654, "family=6 model=85 stepping=4")] // Intel Skylake-SP
    [InlineData(0x000006F6, "family=6 model=15 stepping=6")] // Intel Core 2: no extended model
    public void TellsTheCpuGenerationFromItsSignature(int signature, string expected) =>
        Assert.Equal(expected, MachineDescription.Generation(signature));

    [Fact]
    public void TheLineNamesThisCpusGenerationWhereItIsAnX86()
    {
        string line = MachineDescription.Line();
        if (X86Base.IsSupported)
            Assert.Matches("\" family=\\d+ model=\\d+ stepping=\\d+ simd=", line);
        else
            Assert.Contains("\" simd=", line);
    }
}
