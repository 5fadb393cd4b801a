using Sidecar.Bench;

namespace Sidecar.Tests.Bench;

public sealed class CacheFlushTests
{
    [Theory]
    [InlineData("32768K", 32L << 20)]
    [InlineData("2M", 2L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("48k", 48L << 10)]
    [InlineData("512", 512L)]
    [InlineData("", 0L)]
    [InlineData("K", 0L)]
    [InlineData("-4K", 0L)]
    [InlineData("lots", 0L)]
    public void ReadsACacheSizeAsSysfsWritesIt(string text, long bytes) =>
        Assert.Equal(bytes, CacheFlush.ParseSize(text));

    [Fact]
    public void TheLastLevelIsTheLargestDataOrUnifiedCacheListed()
    {
        string directory = Directory.CreateTempSubdirectory("cache-").FullName;
        try
        {
            WriteIndex(directory, 0, "Data", "48K");
            WriteIndex(directory, 1, "Instruction", "512M"); // not data: never the one flushed for
            WriteIndex(directory, 2, "Unified", "2048K");
            WriteIndex(directory, 3, "Unified", "32768K");
            Directory.CreateDirectory(Path.Combine(directory, "index4")); // no files: counts as nothing
            Assert.Equal(32L << 20, CacheFlush.LastLevelCacheBytes(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void AMachineThatListsNoCachesGetsNoSize() =>
        Assert.Equal(0, CacheFlush.LastLevelCacheBytes(Path.Combine(Path.GetTempPath(), "no-such-cache-" + Guid.NewGuid().ToString("N"))));

    [Fact]
    public void FlushesTwiceTheLastLevelCacheWithin64MiBTo1GiB()
    {
        var flush = new CacheFlush();
        Assert.True(flush.Bytes >= 64L << 20);
        Assert.True(flush.Bytes >= Math.Min(1L << 30, 2 * CacheFlush.LastLevelCacheBytes()));
        Assert.True(flush.Bytes <= 1L << 30);
        flush.Run(); // touches every line of the buffer without failing
    }

    private static void WriteIndex(string directory, int index, string type, string size)
    {
        string path = Path.Combine(directory, "index" + index);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "type"), type + "\n");
        File.WriteAllText(Path.Combine(path, "size"), size + "\n");
    }
}
