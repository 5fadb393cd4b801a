namespace Sidecar.Tests.Support;

/// <summary>What a state's <c>WriteTo(BinaryWriter)</c> writes, as bytes: two states saved alike are the same state.</summary>
internal static class SavedBytes
{
    public static byte[] Of(Action<BinaryWriter> writeTo)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream))
            writeTo(writer);
        return stream.ToArray();
    }
}
