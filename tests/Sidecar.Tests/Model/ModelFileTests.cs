using Sidecar.Tests.Support;
using Sidecar.Model;
using TorchSharp;

namespace Sidecar.Tests.Model;

// Seeds libtorch's process-wide generator, so it runs with no other test drawing from it.
[Collection(TorchRandomCollection.Name)]
public sealed class ModelFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("model-file-").FullName;

    private static TrainedModel Train()
    {
        var data = TrainerTests.Data([1, 3], TrainerTests.Sine(200, 24, 0, 1, 1));
        return Trainer.Train(data, TrainerTests.Settings with { MaxEpochs = 2 }, "abc123", null, CancellationToken.None).Model;
    }

    private static float[] Outputs(TrainedModel model)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.manual_seed(5);
        return model.Network.call(torch.randn(3, 10, model.Network.Features)).data<float>().ToArray();
    }

    [Fact]
    public void RoundTripsWeightsAndDescription()
    {
        using var model = Train();
        string path = ModelFile.PathFor(_directory, "t");
        ModelFile.Write(path, model);
        Assert.False(File.Exists(path + ".tmp"));
        using var read = ModelFile.Read(path);
        Assert.Equal(Outputs(model), Outputs(read));
        Assert.Equal("abc123", read.Description.ConfigHash);
        Assert.Equal(model.Description.Scalers, read.Description.Scalers);
        Assert.Equal(model.Description.HeadSteps, read.Description.HeadSteps);
        Assert.Equal(model.Description.Quantiles, read.Description.Quantiles);
        Assert.Equal((model.Description.FirstStep, model.Description.LastStep), (read.Description.FirstStep, read.Description.LastStep));
        Assert.Equal(model.Description.ValidationLoss, read.Description.ValidationLoss);
        Assert.Equal(model.Description.IntervalScales, read.Description.IntervalScales);
    }

    [Fact]
    public void ADamagedTruncatedOrForeignFileIsRefused()
    {
        using var model = Train();
        string path = ModelFile.PathFor(_directory, "t");
        ModelFile.Write(path, model);
        byte[] good = File.ReadAllBytes(path);

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum", Assert.Throws<InvalidDataException>(() => ModelFile.Read(path)).Message);

        File.WriteAllBytes(path, good[..(good.Length - 100)]);
        Assert.Throws<InvalidDataException>(() => ModelFile.Read(path));

        File.WriteAllBytes(path, "FSSNAP01 something else entirely"u8.ToArray());
        Assert.Contains("not a model file", Assert.Throws<InvalidDataException>(() => ModelFile.Read(path)).Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
