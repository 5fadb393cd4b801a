using Sidecar.Store.Blocks;

namespace Sidecar.Tests.Store.Blocks;

public sealed class EncodedBlocksTests
{
    [Fact]
    public void KeepsEachBlocksBytesThroughAppendsReplacementsAndRemovals()
    {
        var random = new Random(11);
        var blocks = new EncodedBlocks(maxBlocks: 8);
        var expected = new List<byte[]>();
        for (int round = 0; round < 5_000; round++)
        {
            switch (random.Next(6))
            {
                case 0 when expected.Count < 8:
                    blocks.AddEmpty();
                    expected.Add([]);
                    break;
                case 1 when expected.Count > 0:
                    blocks.RemoveFirst();
                    expected.RemoveAt(0);
                    break;
                case 2 when expected.Count < 8:
                    blocks.InsertEmptyFirst();
                    expected.Insert(0, []);
                    break;
                case 3 when expected.Count > 0:
                    int index = random.Next(expected.Count);
                    byte[] replacement = RandomBytes(random, random.Next(0, 40));
                    blocks.Replace(index, replacement);
                    expected[index] = replacement;
                    break;
                case 4 or 5 when expected.Count > 0:
                    // The newest block grows as a ring appends to it.
                    byte[] grown = [.. expected[^1], .. RandomBytes(random, random.Next(0, 6))];
                    Span<byte> last = blocks.GrowLast(grown.Length - expected[^1].Length);
                    grown.CopyTo(last);
                    blocks.SetLastLength(grown.Length);
                    expected[^1] = grown;
                    break;
            }
            Assert.Equal(expected.Count, blocks.Count);
            for (int i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i], blocks[i].ToArray());
        }
    }

    [Fact]
    public void ReusesTheBytesOfRemovedBlocksBeforeGrowing()
    {
        var blocks = new EncodedBlocks(maxBlocks: 4);
        for (int i = 0; i < 100; i++)
        {
            blocks.AddEmpty();
            blocks.GrowLast(100);
            blocks.SetLastLength(100);
            if (blocks.Count > 3)
                blocks.RemoveFirst();
        }
        // Three live blocks of 100 bytes, the eighth of slack, and room for the one being written.
        Assert.InRange(blocks.AllocatedBytes, 300, 600);
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
