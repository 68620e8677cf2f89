using System.Globalization;
using System.Text;

namespace Customers.Host.Tests.Http.Fuzz;

/// <summary>
/// Generates hostile request bodies and query strings from a seeded <see cref="Random"/>, so a failure replays
/// exactly: random Unicode (NUL and other controls, lone surrogates, non-characters), invalid UTF-8, huge and
/// non-finite numbers, deep nesting, wrong types, duplicate keys and very long strings.
/// </summary>
internal sealed class HostileInput(int seed)
{
    /// <summary>Names routes read, so values reach real validators and not only the unknown-key check.</summary>
    private static readonly string[] FieldNames =
    [
        "email", "password", "identifier", "first_name", "last_name", "company_name", "phone", "metadata", "address_1",
        "address_2", "city", "country_code", "postal_code", "province", "address_name", "is_default_shipping",
        "is_default_billing", "name", "title", "type", "revoke_in", "add", "remove", "customer_ids", "callback_url",
        "code", "state", "current_password", "new_password", "additional_data", "fields", "limit", "offset", "q",
    ];

    private static readonly string[] QueryKeys =
    [
        "limit", "offset", "fields", "order", "q", "email", "id", "has_account", "first_name", "groups", "groups[id]",
        "created_at[$gte]", "updated_at[$lt]", "email[$re]", "email[$like]", "first_name[$ilike]", "id[$in][]",
        "customer_id[$nin][0]", "name[$eq]", "$and[0][email]", "$or[0][q]", "deleted_at[$ne]", "code", "state",
    ];

    private static readonly string[] Numbers =
    [
        "1e309", "-1e309", "1e-400", "123456789012345678901234567890", "-0", "9223372036854775808",
        "1.7976931348623157e308", "0.000000000000000000000000001", "-2147483649", "4294967296",
    ];

    private readonly Random _random = new(seed);

    public enum BodyKind
    {
        RandomObject,
        InvalidUtf8,
        DeepNesting,
        DuplicateKeys,
        HugeNumbers,
        LongString,
        Form,
        NotJson,
    }

    /// <summary>A body of <paramref name="kind"/> with its media type.</summary>
    public (byte[] Bytes, string MediaType) Body(BodyKind kind) => kind switch
    {
        BodyKind.RandomObject => (Utf8(Object(depth: 0)), "application/json"),
        BodyKind.InvalidUtf8 => (InvalidUtf8Object(), "application/json"),
        BodyKind.DeepNesting => (Utf8(Nested()), "application/json"),
        BodyKind.DuplicateKeys => (Utf8(DuplicateKeysObject()), "application/json"),
        BodyKind.HugeNumbers => (Utf8(NumbersObject()), "application/json"),
        BodyKind.LongString => (Utf8($$"""{"{{Pick(FieldNames)}}":{{JsonString(Long())}}}"""), "application/json"),
        BodyKind.Form => (Encoding.ASCII.GetBytes(QueryString()), "application/x-www-form-urlencoded"),
        _ => (Utf8(Pick(["NaN", "{\"a\":NaN}", "{\"a\":Infinity}", "{'a':1}", "{\"a\":1,}", "[]", "\"text\"", "{\"a\":\"\\ud800\"", "\u0000"])), "application/json"),
    };

    /// <summary>A query string of hostile pairs, percent-encoded byte by byte (so invalid UTF-8 can be sent).</summary>
    public string QueryString()
    {
        var pairs = new List<string>();
        var count = _random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var key = _random.Next(4) == 0 ? DeepBracketKey() : Pick(QueryKeys);
            pairs.Add(Escape(key) + "=" + QueryValue());
        }

        return string.Join('&', pairs);
    }

    private string QueryValue() => _random.Next(6) switch
    {
        0 => Pick(["%00", "%FF", "%ED%A0%80", "%C3%28", "%F4%90%80%80", "%E2%80%AE", "%0A%0D"]) + Escape(Text()),
        1 => Pick(Numbers),
        2 => Escape(Long()),
        3 => Pick(["-1", "NaN", "Infinity", "true", "[]", "{}", "null", "", "%5B%5D"]),
        _ => Escape(Text()),
    };

    private string DeepBracketKey()
    {
        var key = new StringBuilder(Pick(QueryKeys.Take(8).ToArray()));
        var depth = _random.Next(6, 40);
        for (var i = 0; i < depth; i++)
        {
            key.Append(_random.Next(2) == 0 ? "[a]" : "[0]");
        }

        return key.ToString();
    }

    private string Object(int depth)
    {
        var members = new List<string>();
        var count = _random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            var key = _random.Next(3) == 0 ? Text() : Pick(FieldNames);
            members.Add(JsonString(key) + ":" + Value(depth + 1));
        }

        return "{" + string.Join(',', members) + "}";
    }

    private string Value(int depth) => _random.Next(depth > 3 ? 6 : 8) switch
    {
        0 or 1 => JsonString(Text()),
        2 => Pick(Numbers),
        3 => Pick(["true", "false", "null", "0", "-1", "\"\""]),
        4 => JsonString(Pick(["", " ", "a@b.co", "not-an-email", "US", "zz"])),
        5 => "[" + string.Join(',', Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Value(depth + 1))) + "]",
        _ => Object(depth),
    };

    private string Nested()
    {
        var depth = _random.Next(60, 400);
        var field = Pick(FieldNames);
        return _random.Next(2) == 0
            ? $$"""{"{{field}}":{{new string('[', depth)}}{{new string(']', depth)}}}"""
            : "{" + string.Concat(Enumerable.Repeat($"\"{field}\":{{", depth)) + new string('}', depth + 1);
    }

    private string DuplicateKeysObject()
    {
        var field = Pick(FieldNames);
        return $$"""{"{{field}}":{{Value(2)}},"{{field}}":{{Value(2)}}}""";
    }

    private string NumbersObject() =>
        "{" + string.Join(',', Enumerable.Range(0, _random.Next(1, 4)).Select(_ => $"\"{Pick(FieldNames)}\":{Pick(Numbers)}")) + "}";

    private byte[] InvalidUtf8Object()
    {
        byte[][] broken = [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80], [0xE2, 0x82]];
        return [.. Utf8("{\"" + Pick(FieldNames) + "\":\"a"), .. Pick(broken), .. "\"}"u8];
    }

    /// <summary>Random text: printable ASCII mixed with controls, lone surrogates, non-characters and other planes.</summary>
    private string Text()
    {
        var text = new StringBuilder();
        var length = _random.Next(0, 24);
        for (var i = 0; i < length; i++)
        {
            switch (_random.Next(9))
            {
                case 0: text.Append((char)_random.Next(0, 0x20)); break;
                case 1: text.Append((char)_random.Next(0xD800, 0xDC00)); break;
                case 2: text.Append((char)_random.Next(0xDC00, 0xE000)); break;
                case 3: text.Append(Pick(["\uFFFE", "\uFFFF", "\u202E", "\u2028", "\u00A0", "\uFEFF", "😀", "\u0000"])); break;
                case 4: text.Append((char)_random.Next(0x80, 0xD800)); break;
                default: text.Append((char)_random.Next(0x20, 0x7F)); break;
            }
        }

        return text.ToString();
    }

    private string Long() => new(Pick(['x', 'é', '\u0000', '@']), _random.Next(5_000, 120_000));

    /// <summary>A JSON string literal that escapes every non-ASCII and control character, lone surrogates included.</summary>
    private static string JsonString(string text)
    {
        var literal = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                literal.Append('\\').Append(c);
            }
            else if (c < 0x20 || c > 0x7E)
            {
                literal.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                literal.Append(c);
            }
        }

        return literal.Append('"').ToString();
    }

    /// <summary>Percent-encodes UTF-16 code units as UTF-8 bytes, a lone surrogate as the bytes of its code point
    /// (which no UTF-8 decoder accepts).</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder();
        Span<byte> bytes = stackalloc byte[3];
        foreach (var c in text)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' or '[' or ']' or '$')
            {
                escaped.Append(c);
                continue;
            }

            var count = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            if (count == 1)
            {
                bytes[0] = (byte)c;
            }
            else if (count == 2)
            {
                bytes[0] = (byte)(0xC0 | (c >> 6));
                bytes[1] = (byte)(0x80 | (c & 0x3F));
            }
            else
            {
                bytes[0] = (byte)(0xE0 | (c >> 12));
                bytes[1] = (byte)(0x80 | ((c >> 6) & 0x3F));
                bytes[2] = (byte)(0x80 | (c & 0x3F));
            }

            foreach (var b in bytes[..count])
            {
                escaped.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    private static byte[] Utf8(string text) => new UTF8Encoding(false, false).GetBytes(text);

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
