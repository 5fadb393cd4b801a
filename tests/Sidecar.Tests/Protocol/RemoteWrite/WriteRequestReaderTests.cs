using Google.Protobuf;
using Sidecar.Protocol;
using Sidecar.Protocol.Prompb;
using Sidecar.Protocol.RemoteWrite;
using Sidecar.Tests.Support;

namespace Sidecar.Tests.Protocol.RemoteWrite;

public sealed class WriteRequestReaderTests
{
    private static WriteRequest RandomRequest(Random random, int seriesCount)
    {
        var request = new WriteRequest();
        for (int s = 0; s < seriesCount; s++)
        {
            var series = WriteRequests.Series("metric_" + s, ("instance", "host-" + random.Next(100) + ":9100"), ("job", "node"), ("ünïcode", "välue"));
            int samples = random.Next(0, 5);
            for (int i = 0; i < samples; i++)
                series.Samples.Add(new Sample { Timestamp = 1_700_000_000_000 + i * 15_000 + random.Next(-5, 5), Value = random.NextDouble() * 1e6 - 5e5 });
            if (random.Next(4) == 0)
                series.Exemplars.Add(new Exemplar { Value = 1, Timestamp = 1, Labels = { new Label { Name = "trace_id", Value = "abc" } } });
            if (random.Next(4) == 0)
                series.Histograms.Add(new Histogram { CountInt = 3, ZeroCountInt = 3, Sum = 0, Schema = 1, Timestamp = 5 });
            request.Timeseries.Add(series);
        }
        request.Metadata.Add(new MetricMetadata { Type = MetricMetadata.Types.MetricType.Counter, MetricFamilyName = "x_total", Help = "h" });
        return request;
    }

    [Fact]
    public void DecodesWhatTheGeneratedEncoderWrote()
    {
        var random = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            WriteRequest expected = RandomRequest(random, random.Next(0, 20));
            byte[] body = expected.ToByteArray();
            var reader = new WriteRequestReader(body);
            int index = 0, metadata = 0;
            while (reader.TryRead(out TimeSeriesView view, out MetadataView meta))
            {
                if (meta.IsPresent)
                {
                    metadata++;
                    Assert.Equal((int)MetricMetadata.Types.MetricType.Counter, meta.Type);
                    Assert.Equal("x_total", System.Text.Encoding.UTF8.GetString(meta.FamilyName));
                    Assert.Equal("h", System.Text.Encoding.UTF8.GetString(meta.Help));
                    continue;
                }
                TimeSeries want = expected.Timeseries[index++];
                var labels = new List<(string, string)>();
                foreach (LabelView label in view.Labels)
                    labels.Add((System.Text.Encoding.UTF8.GetString(label.Name), System.Text.Encoding.UTF8.GetString(label.Value)));
                Assert.Equal(want.Labels.Select(l => (l.Name, l.Value)), labels);
                var samples = new List<SampleValue>();
                foreach (SampleValue sample in view.Samples)
                    samples.Add(sample);
                Assert.Equal(want.Samples.Select(s => new SampleValue(s.Timestamp, s.Value)), samples);
                Assert.True(view.TryScan(new byte[4096], out _, out SeriesCounts counts));
                Assert.Equal(want.Samples.Count, counts.Samples);
                Assert.Equal(want.Exemplars.Count, counts.Exemplars);
                Assert.Equal(want.Histograms.Count, counts.Histograms);
            }
            Assert.Equal(expected.Timeseries.Count, index);
            Assert.Equal(1, metadata);
        }
    }

    [Fact]
    public void KeepsStaleMarkerAndNaNBitsExactly()
    {
        var series = WriteRequests.Series("up").With((1, StaleMarker.Value), (2, double.NaN), (3, double.PositiveInfinity));
        var reader = new WriteRequestReader(WriteRequests.Encode(series));
        Assert.True(reader.TryRead(out TimeSeriesView view, out _));
        var values = new List<double>();
        foreach (SampleValue sample in view.Samples)
            values.Add(sample.Value);
        Assert.True(StaleMarker.Is(values[0]));
        Assert.True(double.IsNaN(values[1]) && !StaleMarker.Is(values[1]));
        Assert.Equal(double.PositiveInfinity, values[2]);
    }

    [Fact]
    public void InterleavedLabelsGiveTheSameKeyAsContiguousOnes()
    {
        byte[] label1 = new Label { Name = "__name__", Value = "up" }.ToByteArray();
        byte[] label2 = new Label { Name = "job", Value = "a" }.ToByteArray();
        byte[] sample = new Sample { Timestamp = 5, Value = 1 }.ToByteArray();
        static byte[] Field(int number, byte[] payload) => [(byte)(number << 3 | 2), (byte)payload.Length, .. payload];
        byte[] contiguous = [.. Field(1, label1), .. Field(1, label2), .. Field(2, sample)];
        byte[] interleaved = [.. Field(1, label1), .. Field(2, sample), .. Field(1, label2)];
        byte[] Key(byte[] series)
        {
            Assert.True(new TimeSeriesView(series).TryScan(new byte[256], out ReadOnlySpan<byte> key, out SeriesCounts counts));
            Assert.Equal(1, counts.Samples);
            return key.ToArray();
        }
        Assert.Equal(Key(contiguous), Key(interleaved));
        Assert.False(new TimeSeriesView(interleaved).TryScan(new byte[4], out _, out _));
    }

    [Fact]
    public void SamplesInAnyLayoutDecodeAsTheGeneratedParserReadsThem()
    {
        // The decoder reads a sample written as senders write it (value, then timestamp, nothing else)
        // by a shortcut: every other layout proto3 allows must still read the same as Google.Protobuf's.
        static byte[] Sample(Action<CodedOutputStream> write)
        {
            using var buffer = new MemoryStream();
            using (var output = new CodedOutputStream(buffer))
                write(output);
            return buffer.ToArray();
        }
        static void Value(CodedOutputStream o, double v) { o.WriteTag(1, WireFormat.WireType.Fixed64); o.WriteDouble(v); }
        static void Time(CodedOutputStream o, long t) { o.WriteTag(2, WireFormat.WireType.Varint); o.WriteInt64(t); }
        static void Unknown(CodedOutputStream o) { o.WriteTag(9, WireFormat.WireType.LengthDelimited); o.WriteString("x"); }
        byte[][] samples =
        [
            Sample(o => { Value(o, 1.5); Time(o, 1_700_000_000_000); }),
            Sample(o => { Time(o, 1_700_000_000_000); Value(o, 2.5); }),
            Sample(o => Time(o, 7)),
            Sample(o => Value(o, -3)),
            Sample(_ => { }),
            Sample(o => { Value(o, 1); Time(o, 5); Value(o, 4); }),
            Sample(o => { Value(o, 1); Time(o, 5); Time(o, 6); }),
            Sample(o => { Value(o, 8); Time(o, 9); Unknown(o); }),
            Sample(o => { Value(o, 8); Time(o, -1); }),
            Sample(o => { Value(o, double.NaN); Time(o, 0); }),
        ];
        byte[] label = new Label { Name = "__name__", Value = new string('v', 200) }.ToByteArray();
        static byte[] Field(int number, byte[] payload)
        {
            using var buffer = new MemoryStream();
            using (var output = new CodedOutputStream(buffer))
            {
                output.WriteTag(number, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(payload));
            }
            return buffer.ToArray();
        }
        byte[] series = [.. Field(1, label), .. samples.SelectMany(sample => Field(2, sample))];
        TimeSeries reference = TimeSeries.Parser.ParseFrom(series);
        var view = new TimeSeriesView(series);
        var decoded = new List<SampleValue>();
        foreach (SampleValue sample in view.Samples)
            decoded.Add(sample);
        Assert.Equal(reference.Samples.Select(x => new SampleValue(x.Timestamp, x.Value)), decoded);
        Assert.True(view.TryScan(new byte[16], out ReadOnlySpan<byte> key, out SeriesCounts counts));
        Assert.Equal(samples.Length, counts.Samples);
        Assert.Equal(Field(1, label), key.ToArray());
    }

    [Fact]
    public void EqualLabelSetsGiveEqualKeysAndDifferentOnesDont()
    {
        byte[] a = WriteRequests.Encode(WriteRequests.Series("up", ("job", "ab")).With((1, 1)));
        byte[] b = WriteRequests.Encode(WriteRequests.Series("up", ("job", "ab")).With((2, 5), (3, 6)));
        byte[] c = WriteRequests.Encode(WriteRequests.Series("up", ("job", "a"), ("jobb", "")).With((1, 1)));
        Assert.Equal(Key(a), Key(b));
        Assert.NotEqual(Key(a), Key(c));
    }

    private static string Key(byte[] body)
    {
        var reader = new WriteRequestReader(body);
        reader.TryRead(out TimeSeriesView view, out _);
        Assert.True(view.TryScan(new byte[1024], out ReadOnlySpan<byte> key, out _));
        return Convert.ToHexString(key);
    }

    [Fact]
    public void DeeplyNestedUnknownFieldsAreSkippedWithoutRecursion()
    {
        // 100,000 levels of length-delimited nesting in a field WriteRequest doesn't have: a recursive
        // decoder would overflow its stack; ours skips the field as bytes.
        const int Depth = 100_000;
        var buffer = new byte[Depth * 6];
        int start = buffer.Length;
        Span<byte> prefix = stackalloc byte[8];
        for (int depth = 0; depth < Depth; depth++)
        {
            int length = buffer.Length - start, n = 0;
            prefix[n++] = 0xfa; // field 31, length-delimited
            prefix[n++] = 0x01;
            for (uint v = (uint)length; ; v >>= 7)
            {
                prefix[n++] = (byte)(v < 0x80 ? v : (v & 0x7f) | 0x80);
                if (v < 0x80)
                    break;
            }
            start -= n;
            prefix[..n].CopyTo(buffer.AsSpan(start));
        }
        byte[] inner = buffer[start..];
        byte[] body = [.. inner, .. WriteRequests.Encode(WriteRequests.Series("up").With((1, 1)))];
        var reader = new WriteRequestReader(body);
        Assert.True(reader.TryRead(out TimeSeriesView view, out _));
        Assert.True(view.TryScan(new byte[64], out _, out SeriesCounts counts));
        Assert.Equal(1, counts.Samples);
    }

    [Fact]
    public void CorruptTruncatedAndRandomInputOnlyEverThrowsMalformedInput()
    {
        // Every prefix and thousands of byte flips of a valid body: decoding either succeeds or throws
        // MalformedInputException, never anything else, and never loops.
        var random = new Random(11);
        byte[] valid = RandomRequest(random, 10).ToByteArray();
        var inputs = new List<byte[]>();
        for (int length = 0; length < valid.Length; length++)
            inputs.Add(valid[..length]);
        for (int i = 0; i < 3000; i++)
        {
            byte[] mutated = (byte[])valid.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            inputs.Add(mutated);
        }
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            inputs.Add(bytes);
        }
        int accepted = 0, rejected = 0, agreed = 0;
        foreach (byte[] input in inputs)
        {
            List<(List<(string, string)> Labels, List<SampleValue> Samples)> decoded;
            try
            {
                decoded = DecodeEverything(input);
            }
            catch (MalformedInputException)
            {
                rejected++;
                continue;
            }
            // What the reader accepts and the generated decoder parses, both read the same way: labels and samples alike.
            accepted++;
            WriteRequest reference;
            try
            {
                reference = WriteRequest.Parser.ParseFrom(input);
            }
            catch (InvalidProtocolBufferException)
            {
                // The reader skips what it doesn't model (exemplars, histograms, metadata text) without looking
                // inside, and hands label bytes on to the UTF-8 check after it: damage there is not its to see.
                continue;
            }
            agreed++;
            Assert.Equal(reference.Timeseries.Count, decoded.Count);
            for (int i = 0; i < decoded.Count; i++)
            {
                Assert.Equal(reference.Timeseries[i].Labels.Select(l => (l.Name, l.Value)), decoded[i].Labels);
                Assert.Equal(reference.Timeseries[i].Samples.Select(x => new SampleValue(x.Timestamp, x.Value)), decoded[i].Samples);
            }
        }
        // Each branch above ran many times over.
        Assert.True(agreed > 100 && rejected > 100, $"accepted {accepted} (compared {agreed}), rejected {rejected}");
    }

    private static List<(List<(string, string)> Labels, List<SampleValue> Samples)> DecodeEverything(byte[] body)
    {
        var reader = new WriteRequestReader(body);
        var key = new byte[body.Length * 3 + 16];
        var series = new List<(List<(string, string)>, List<SampleValue>)>();
        while (reader.TryRead(out TimeSeriesView view, out MetadataView metadata))
        {
            if (metadata.IsPresent)
                continue;
            var labels = new List<(string, string)>();
            foreach (LabelView label in view.Labels)
                labels.Add((System.Text.Encoding.UTF8.GetString(label.Name), System.Text.Encoding.UTF8.GetString(label.Value)));
            var samples = new List<SampleValue>();
            foreach (SampleValue sample in view.Samples)
                samples.Add(sample);
            Assert.True(view.TryScan(key, out _, out SeriesCounts counts));
            Assert.Equal(samples.Count, counts.Samples);
            series.Add((labels, samples));
        }
        return series;
    }
}
