using Sidecar.Model;
using TorchSharp;
using static TorchSharp.torch;

namespace Sidecar.Tests.Model;

/// <summary>
/// <see cref="StreamingStates"/> carries each series' LSTM state in its own slot: batches of series in id
/// order with gaps, consecutive, or in any order, with slots added in between (which moves every row), must give each series what running it
/// alone, one step at a time with its own carried state, gives.
/// </summary>
public sealed class StreamingStatesTests
{
    private const int Features = 3, Hidden = 8, Layers = 2;

    [Fact]
    public void EverySeriesCarriesItsOwnStateThroughShuffledBatchesAndGrowth()
    {
        using var network = LstmNetwork.Seeded(3, Features, Hidden, Layers, heads: 2, quantiles: 3, medianIndex: 1);
        var states = new StreamingStates(Layers, Hidden);
        var random = new Random(5);
        var alone = new Dictionary<long, (Tensor H, Tensor C)>();
        int seriesCount = 20;
        for (int step = 0; step < 12; step++)
        {
            // More series join now and then: slot ids beyond the arrays, so the rows are laid out again.
            if (step == 4)
                seriesCount = 150;
            if (step == 8)
                seriesCount = 300;
            // In id order (as the pipeline steps them: runs of consecutive slots with gaps), shuffled, or
            // every slot of a stretch (a target whose series all stepped: read in place, not gathered).
            long[] slots = [.. Enumerable.Range(0, seriesCount).Where(_ => random.Next(4) > 0).Select(s => (long)s)];
            if (step % 3 == 1)
                slots = [.. slots.OrderBy(_ => random.Next())];
            else if (step % 3 == 2)
                slots = [.. Enumerable.Range(step == 2 ? 0 : random.Next(seriesCount / 2), seriesCount / 2).Select(s => (long)s)];
            states.EnsureSlots((int)slots.Max() + 1);
            var inputs = new float[slots.Length * Features];
            for (int i = 0; i < inputs.Length; i++)
                inputs[i] = random.NextSingle() * 2 - 1;
            bool fresh = step == 0;

            RunAndCompareWithEachAlone(network, states, slots, inputs, fresh, alone);
        }
    }

    [Fact]
    public void TheSameRunOfSlotsStepAfterStepCarriesOnThroughGrowthAndImports()
    {
        // The steady state: the same consecutive slots every step, each starting from the tensors the step
        // before returned (a kept run); growth replaces the arrays, an import writes into them (and must
        // overrule the kept run), and each step must still start from what the last one (or the import) left.
        using var network = LstmNetwork.Seeded(4, Features, Hidden, Layers, heads: 2, quantiles: 3, medianIndex: 1);
        var states = new StreamingStates(Layers, Hidden);
        var random = new Random(9);
        var alone = new Dictionary<long, (Tensor H, Tensor C)>();
        long[] slots = [.. Enumerable.Range(10, 40).Select(s => (long)s)];
        states.EnsureSlots(64);
        for (int step = 0; step < 6; step++)
        {
            if (step == 2)
                states.EnsureSlots(500);
            if (step == 4)
            {
                float[] hidden = [.. Enumerable.Range(0, Layers * Hidden).Select(_ => random.NextSingle() - 0.5f)];
                float[] cell = [.. Enumerable.Range(0, Layers * Hidden).Select(_ => random.NextSingle() - 0.5f)];
                states.Import(25, hidden, cell);
                alone[25] = (torch.tensor(hidden, [Layers, 1, Hidden]), torch.tensor(cell, [Layers, 1, Hidden]));
            }
            var inputs = new float[slots.Length * Features];
            for (int i = 0; i < inputs.Length; i++)
                inputs[i] = random.NextSingle() * 2 - 1;
            RunAndCompareWithEachAlone(network, states, slots, inputs, fresh: step == 0, alone);
        }
    }

    [Fact]
    public void KeptRunsMeetOverlappingBatchesExportsAndDisposal()
    {
        // A consecutive batch's new state stays in the tensors the network returned (a kept run) until
        // something reads or writes those slots' rows another way: an overlapping run, a batch in another
        // order, an export. Each must see the newest state of every slot.
        using var network = LstmNetwork.Seeded(6, Features, Hidden, Layers, heads: 2, quantiles: 3, medianIndex: 1);
        var states = new StreamingStates(Layers, Hidden);
        var random = new Random(13);
        var alone = new Dictionary<long, (Tensor H, Tensor C)>();
        states.EnsureSlots(64);
        long[][] batches =
        [
            [.. Enumerable.Range(0, 10).Select(s => (long)s)],   // kept
            [.. Enumerable.Range(5, 10).Select(s => (long)s)],   // overlaps it: 5–9 must start where it left them
            [.. Enumerable.Range(0, 10).Select(s => (long)s)],   // overlaps that one
            [.. Enumerable.Range(0, 10).Select(s => (long)s)],   // the same run again: from the kept state
            [12, 3, 7, 30, 0],                                   // not a run: gathered from the arrays
            [.. Enumerable.Range(20, 16).Select(s => (long)s)],  // a second run beside the first
        ];
        for (int step = 0; step < batches.Length; step++)
        {
            var inputs = new float[batches[step].Length * Features];
            for (int i = 0; i < inputs.Length; i++)
                inputs[i] = random.NextSingle() * 2 - 1;
            RunAndCompareWithEachAlone(network, states, batches[step], inputs, fresh: step == 0, alone);
        }
        // The arrays, the batch buffers of the one batch that wasn't a run (5 series), and the one kept run
        // left (20–35: the gather before it copied the others back).
        Assert.Equal(2L * Layers * (states.Slots + 5 + 16) * Hidden * sizeof(float), states.Bytes);

        AssertExportHolds(states, alone);
        // A run kept again, then disposed: the arrays still hold every slot's newest state.
        var last = new float[10 * Features];
        for (int i = 0; i < last.Length; i++)
            last[i] = random.NextSingle() * 2 - 1;
        RunAndCompareWithEachAlone(network, states, batches[0], last, fresh: false, alone);
        states.Dispose();
        AssertExportHolds(states, alone);
    }

    // Every slot in `alone` holds its state there in the export; the slots never run hold zeros.
    private static void AssertExportHolds(StreamingStates states, Dictionary<long, (Tensor H, Tensor C)> alone)
    {
        var (hidden, cell) = states.Export();
        for (long slot = 0; slot < states.Slots; slot++)
        {
            for (int layer = 0; layer < Layers; layer++)
            {
                float[] h = hidden.AsSpan((int)((layer * states.Slots + slot) * Hidden), Hidden).ToArray();
                float[] c = cell.AsSpan((int)((layer * states.Slots + slot) * Hidden), Hidden).ToArray();
                bool ran = alone.TryGetValue(slot, out var carried);
                float[] expectedH = ran ? carried.H[layer, 0].data<float>().ToArray() : new float[Hidden];
                float[] expectedC = ran ? carried.C[layer, 0].data<float>().ToArray() : new float[Hidden];
                for (int k = 0; k < Hidden; k++)
                {
                    Assert.Equal(expectedH[k], h[k], 1e-5f);
                    Assert.Equal(expectedC[k], c[k], 1e-5f);
                }
            }
        }
    }

    // Runs the batch through the states, then each series alone from the state it carried in `alone` (zeros
    // for one not there, or when fresh), and compares; `alone` then holds each series' new state.
    private static void RunAndCompareWithEachAlone(LstmNetwork network, StreamingStates states, long[] slots, float[] inputs, bool fresh, Dictionary<long, (Tensor H, Tensor C)> alone)
    {
        float[] batched;
        using (var x = torch.tensor(inputs, [slots.Length, 1, Features]))
        using (var output = states.Run(network, x, slots, fresh))
            batched = output.data<float>().ToArray();

        int perSeries = batched.Length / slots.Length;
        for (int b = 0; b < slots.Length; b++)
        {
            using var x = torch.tensor(inputs.AsSpan(b * Features, Features).ToArray(), [1, 1, Features]);
            // A series new to this run starts from zeros, as a slot never written holds.
            var (h, c) = !fresh && alone.TryGetValue(slots[b], out var carried) ? carried : (torch.zeros(Layers, 1, Hidden), torch.zeros(Layers, 1, Hidden));
            var (output, newH, newC) = network.Infer(x, h, c);
            float[] expected = output.select(1, -1).data<float>().ToArray();
            for (int k = 0; k < perSeries; k++)
                // Batched and single products round differently (and differently on other CPUs): a tolerance, not digits.
                Assert.Equal(expected[k], batched[b * perSeries + k], 1e-5f);
            alone[slots[b]] = (newH, newC);
        }
    }

    [Fact]
    public void AnImportedStateIsWhatTheExportHolds()
    {
        var states = new StreamingStates(Layers, Hidden);
        float[] hidden = [.. Enumerable.Range(0, Layers * Hidden).Select(i => i + 0.5f)];
        float[] cell = [.. Enumerable.Range(0, Layers * Hidden).Select(i => -i - 0.25f)];
        states.Import(70, hidden, cell); // beyond the first 64 slots: grows
        states.EnsureSlots(200); // and moves the rows again
        var (allHidden, allCell) = states.Export();
        Assert.Equal(Layers * states.Slots * Hidden, allHidden.Length);
        for (int layer = 0; layer < Layers; layer++)
        {
            Assert.Equal(hidden.AsSpan(layer * Hidden, Hidden).ToArray(), allHidden.AsSpan((layer * states.Slots + 70) * Hidden, Hidden).ToArray());
            Assert.Equal(cell.AsSpan(layer * Hidden, Hidden).ToArray(), allCell.AsSpan((layer * states.Slots + 70) * Hidden, Hidden).ToArray());
            Assert.All(allHidden.AsSpan((layer * states.Slots + 69) * Hidden, Hidden).ToArray(), v => Assert.Equal(0f, v));
        }
    }
}
