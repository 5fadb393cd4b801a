namespace Sidecar.Protocol.RemoteWrite;

/// <summary>One <c>prometheus.MetricMetadata</c>: strings are UTF-8 slices of the body.</summary>
internal readonly ref struct MetadataView
{
    private const int TypeField = 1;
    private const int FamilyNameField = 2;
    private const int HelpField = 4;
    private const int UnitField = 5;

    /// <summary>False for the default value, which stands for "this entry is a time series".</summary>
    public bool IsPresent { get; private init; }

    public int Type { get; private init; }

    public ReadOnlySpan<byte> FamilyName { get; private init; }

    public ReadOnlySpan<byte> Help { get; private init; }

    public ReadOnlySpan<byte> Unit { get; private init; }

    public static MetadataView Parse(ReadOnlySpan<byte> message)
    {
        var reader = new ProtoReader(message);
        int type = 0;
        ReadOnlySpan<byte> family = default, help = default, unit = default;
        while (reader.TryReadTag(out int field, out WireType wireType))
        {
            switch (field)
            {
                case TypeField:
                    ProtoReader.Expect(wireType, WireType.Varint, "MetricMetadata.type");
                    type = (int)reader.ReadVarint();
                    break;
                case FamilyNameField:
                    ProtoReader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata.metric_family_name");
                    family = reader.ReadLengthDelimited();
                    break;
                case HelpField:
                    ProtoReader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata.help");
                    help = reader.ReadLengthDelimited();
                    break;
                case UnitField:
                    ProtoReader.Expect(wireType, WireType.LengthDelimited, "MetricMetadata.unit");
                    unit = reader.ReadLengthDelimited();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
        return new MetadataView { IsPresent = true, Type = type, FamilyName = family, Help = help, Unit = unit };
    }
}
