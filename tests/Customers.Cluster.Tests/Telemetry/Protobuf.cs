namespace Customers.Cluster.Tests.Telemetry;

/// <summary>
/// Just enough of the protobuf wire format to read OTLP: a message is a list of (field number, value) where the value
/// is a varint, a fixed 32/64-bit number or a length-delimited byte string (a nested message, a string or bytes).
/// </summary>
public readonly record struct ProtoField(int Number, ulong Varint, ReadOnlyMemory<byte> Bytes)
{
    public string Text => System.Text.Encoding.UTF8.GetString(Bytes.Span);

    public string Hex => Convert.ToHexStringLower(Bytes.Span);

    public IReadOnlyList<ProtoField> Message => Protobuf.Parse(Bytes);

    public static IEnumerable<ProtoField> All(IEnumerable<ProtoField> fields, int number) => fields.Where(f => f.Number == number);
}

public static class Protobuf
{
    public static IReadOnlyList<ProtoField> Parse(ReadOnlyMemory<byte> message)
    {
        var fields = new List<ProtoField>();
        var span = message.Span;
        var at = 0;
        while (at < span.Length)
        {
            var key = ReadVarint(span, ref at);
            var number = (int)(key >> 3);
            switch (key & 7)
            {
                case 0:
                    fields.Add(new ProtoField(number, ReadVarint(span, ref at), default));
                    break;
                case 1:
                    fields.Add(new ProtoField(number, BitConverter.ToUInt64(span.Slice(at, 8)), message.Slice(at, 8)));
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(span, ref at);
                    fields.Add(new ProtoField(number, 0, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    fields.Add(new ProtoField(number, BitConverter.ToUInt32(span.Slice(at, 4)), message.Slice(at, 4)));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"Unsupported protobuf wire type {key & 7}.");
            }
        }

        return fields;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
