using System.Buffers;

namespace Sidecar.Protocol.RemoteWrite.V2;

/// <summary>
/// The <c>symbols</c> of a remote-write 2.0 request as offsets into its body, so references resolve to
/// slices without copying a string. Rents its offsets from the shared pool; dispose to return them.
/// </summary>
internal sealed class SymbolTable : IDisposable
{
    private const int SymbolsField = 4;

    private int[] _ranges;

    private SymbolTable(int[] ranges, int count)
    {
        _ranges = ranges;
        Count = count;
    }

    public int Count { get; }

    /// <summary>Scans the request's top level for its symbols and checks that <c>symbols[0]</c> is "".</summary>
    public static SymbolTable Read(ReadOnlySpan<byte> request)
    {
        int[] ranges = ArrayPool<int>.Shared.Rent(64);
        int count = 0;
        try
        {
            var reader = new ProtoReader(request);
            while (reader.TryReadTag(out int field, out WireType wireType))
            {
                if (field != SymbolsField)
                {
                    reader.Skip(wireType);
                    continue;
                }
                ProtoReader.Expect(wireType, WireType.LengthDelimited, "Request.symbols");
                ReadOnlySpan<byte> symbol = reader.ReadLengthDelimited();
                if (count * 2 + 2 > ranges.Length)
                {
                    int[] larger = ArrayPool<int>.Shared.Rent(ranges.Length * 2);
                    ranges.AsSpan(0, count * 2).CopyTo(larger);
                    ArrayPool<int>.Shared.Return(ranges);
                    ranges = larger;
                }
                ranges[count * 2] = reader.Position - symbol.Length;
                ranges[count * 2 + 1] = symbol.Length;
                count++;
            }
            if (count > 0 && ranges[1] != 0)
                MalformedInputException.Throw("remote-write 2.0: symbols[0] must be the empty string");
            return new SymbolTable(ranges, count);
        }
        catch
        {
            ArrayPool<int>.Shared.Return(ranges);
            throw;
        }
    }

    /// <summary>The UTF-8 bytes of symbol <paramref name="reference"/>, a slice of <paramref name="request"/>.</summary>
    public ReadOnlySpan<byte> Get(ReadOnlySpan<byte> request, uint reference, string field)
    {
        if (reference >= (uint)Count)
            MalformedInputException.Throw($"remote-write 2.0: {field} {reference} is out of range ({Count} symbols)");
        return request.Slice(_ranges[reference * 2], _ranges[reference * 2 + 1]);
    }

    public void Dispose()
    {
        if (_ranges.Length > 0)
            ArrayPool<int>.Shared.Return(_ranges);
        _ranges = [];
    }
}
