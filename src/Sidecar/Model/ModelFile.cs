using System.Text;
using System.Text.Json;
using Sidecar.Host;

namespace Sidecar.Model;

/// <summary>
/// A target's trained model on disk, <c>models/&lt;target&gt;.model</c> in the data directory: written
/// to a temporary file, flushed to disk and renamed over the old one, so a crash leaves the old model or
/// the new one. Reading checks the checksum and the format version before trusting anything.
/// </summary>
/// <remarks>
/// Layout: the 8-byte magic <c>FSMODEL1</c>; the payload (format version as int32, the description as
/// length-prefixed UTF-8 JSON, then the weights as TorchSharp writes them); a CRC-32C of the payload
/// (uint32, little-endian).
/// </remarks>
internal static class ModelFile
{
    public const int FormatVersion = 1;
    private static readonly byte[] Magic = "FSMODEL1"u8.ToArray();
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    public static string PathFor(string directory, string target) => Path.Combine(directory, "models", target + ".model");

    /// <summary>Where a per-series model (<c>model.scope: series</c>) goes: named by a hash of the series' labels.</summary>
    public static string PathFor(string directory, string target, string seriesKey) =>
        Path.Combine(SeriesDirectory(directory, target),
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(seriesKey)))[..16] + ".model");

    public static string SeriesDirectory(string directory, string target) => Path.Combine(directory, "models", target);

    public static void Write(string path, TrainedModel model)
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            byte[] description = JsonSerializer.SerializeToUtf8Bytes(Stored.From(model), Json);
            writer.Write(description.Length);
            writer.Write(description);
            model.Network.save(writer);
        }
        ChecksummedFile.Write(path, Magic, payload.GetBuffer().AsSpan(0, (int)payload.Length));
    }

    /// <summary>Reads a model file; throws <see cref="InvalidDataException"/> when it is damaged or of another format.</summary>
    public static TrainedModel Read(string path)
    {
        byte[] payload = ChecksummedFile.ReadPayload(path, Magic, "model file");
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        int version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"{path}: format version {version}, this build reads {FormatVersion}");
        int length = reader.ReadInt32();
        if (length <= 0 || length > payload.Length)
            throw new InvalidDataException($"{path}: bad description length {length}");
        var stored = JsonSerializer.Deserialize<Stored>(reader.ReadBytes(length), Json)
            ?? throw new InvalidDataException($"{path}: empty description");
        var network = new LstmNetwork(stored.Features, stored.HiddenSize, stored.Layers, stored.HeadSteps.Length, stored.Quantiles.Length, stored.MedianIndex);
        try
        {
            network.load(reader);
            network.eval();
            return new TrainedModel(network, stored.ToDescription());
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            network.Dispose();
            throw new InvalidDataException($"{path}: weights don't match the description: {e.Message}", e);
        }
    }

    private sealed record Stored(
        string ConfigHash, int Features, int HiddenSize, int Layers, int[] HeadSteps, double[] Quantiles, int MedianIndex,
        Dictionary<string, float[]> Scalers, double ValidationLoss, DateTimeOffset TrainedAt, long FirstStep, long LastStep, int Epochs,
        float[] IntervalScales)
    {
        public static Stored From(TrainedModel model)
        {
            var d = model.Description;
            return new Stored(d.ConfigHash, model.Network.Features, model.Network.HiddenSize, model.Network.Layers, [.. d.HeadSteps],
                [.. d.Quantiles], d.MedianIndex, d.Scalers.ToDictionary(s => s.Key, s => new[] { s.Value.Center, s.Value.Spread }),
                d.ValidationLoss, d.TrainedAt, d.FirstStep, d.LastStep, d.Epochs, [.. d.IntervalScales]);
        }

        public ModelDescription ToDescription() => new(ConfigHash, HeadSteps, Quantiles, MedianIndex,
            Scalers.ToDictionary(s => s.Key, s => new RobustScaler(s.Value[0], s.Value[1])), ValidationLoss, TrainedAt, FirstStep, LastStep, Epochs, IntervalScales);
    }
}
